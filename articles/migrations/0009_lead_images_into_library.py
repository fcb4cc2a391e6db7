"""Existing lead images become library images (same file, same renditions), and every
body gets its reader's rendering (body_html).

The uploaded lead image fields stay for now: feed ingestion still stores one picture per
article there (see docs/editors.md, "Images").
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    articles = Article.objects.exclude(lead_image="").filter(image__isnull=True)
    for article in articles.iterator(chunk_size=500):
        image = Image.objects.create(
            file=article.lead_image.name,
            width=article.lead_image_width,
            height=article.lead_image_height,
            title=article.title[:200],
            alt_text=article.lead_image_alt,
            caption=article.lead_image_caption,
            credit=article.lead_image_credit,
            renditions=article.lead_image_renditions,
        )
        Article.objects.filter(pk=article.pk).update(image=image)
    # Bodies saved before the editor existed: their reader HTML is the body itself (no
    # library pictures or link cards can be in them yet).
    Article.objects.filter(body_html="").update(body_html=F("body"))


def backwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(image=None)
    apps.get_model("articles", "Image").objects.filter(body_uses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_editors_manage_library_and_pins")]
    operations = [migrations.RunPython(forwards, backwards)]
