"""PostgreSQL full-text search: a stored `search_vector` column with a GIN index.

Filled by a trigger from the title (weight A), summary (B) and body (C), so it is always
current, whatever writes the row (save(), update(), bulk_create, plain SQL). A trigger
rather than a generated column, so later migrations may still change those columns' types.
The model does not declare the column (Django would try to write it); `search/`
reads it with a RawSQL expression. On SQLite nothing is added and search falls back to LIKE.
"""

from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english'::regconfig, coalesce({row}title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce({row}summary, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce({row}body, '')), 'C')
"""
FORWARD_SQL = [
    "ALTER TABLE articles_article ADD COLUMN search_vector tsvector",
    f"""
    CREATE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := {VECTOR.format(row="NEW.")};
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, summary, body ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector()
    """,
    f"UPDATE articles_article SET search_vector = {VECTOR.format(row='')}",
    "CREATE INDEX article_search_idx ON articles_article USING GIN (search_vector)",
]
BACKWARD_SQL = [
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_vector()",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD_SQL:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD_SQL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_feed_ingestion")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
