"""Every cacheable page is fresh after every kind of write (issue 29).

For each write an editor or moderator makes (tests/serving/freshness.py: through the
admin's forms or the moderation services), every cacheable address of the site is read
through the page cache, the write is made, the addresses are read again through the cache,
and each must equal a render with every cache off. Dependencies are derived by
serving/dependencies.py; nothing here names a tag.

One documented approximation is checked for what it promises rather than for equality:
the article page's related cards (`articles.views._related`, read `loosely()`) may lag
behind a new article that would now be picked, but every card they show is public and
shows its article's current title and source.

A URL pattern served by the page cache without addresses in `freshness.pages()`, a
field of a tracked model that no write here changes and its model does not declare as
bookkeeping, or a table the cached pages read that belongs to no tracked model (and is
not in UNTRACKED_READS, with what keeps it fresh), fails the coverage tests below.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver

from articles.models import Article
from serving.dependencies import declaration
from serving.page_store import local_pages

from . import freshness, freshness_writes

pytestmark = pytest.mark.django_db

RELATED = re.compile(r'<section class="related".*?</section>', re.S)
CARD = re.compile(
    r'<h3 class="card__title"><a href="/articles/([^/]+)/">([^<]*)</a></h3>\s*'
    r'<p class="card__meta"><span class="card__source">([^<]*)</span>'
)


# The writes, in sequences over one site each (a write is checked against the state the
# writes before it left): building the site and reading every page cold costs more than
# the writes, and the sequences run in parallel under xdist (two files).
SEQUENCES = {
    "new-articles": [
        "create",
        "publish",
        "retitle",
        "change_summary",
        "change_lead_image",
        "edit_every_image_field",
        "edit_every_article_field",
        "feed_update",
    ],
    "moved-articles": [
        "change_source",
        "change_topic",
        "change_byline",
        "correct",
        "pin_to_topic",
        "schedule",
        "withdraw",
        "delete",
    ],
    "comments-and-names": [
        "edit_comment",
        "approve_comment",
        "feature_comment",
        "reply_to_comment",
        "unfeature_comment",
        "remove_comment",
        "reject_comment",
        "rename_source",
        "edit_every_source_field",
        "rename_topic",
        "edit_every_topic_field",
    ],
    "stories-and-promos": [
        "report_from_new_source",
        "vet_source",
        "edit_key_point",
        "hide_key_point",
        "pin_story_lead",
        "regroup_story",
        "merge_stories",
        "change_promo",
        "edit_every_promo_field",
    ],
}


@pytest.fixture
def site(settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_TIMEOUT = 600  # long enough that a stale page would show
    settings.PAGE_CACHE_ENABLED = True
    with django_capture_on_commit_callbacks(execute=True):
        return freshness.build_site()


def _read_all(client, site) -> dict[str, tuple[int, str]]:
    found = {}
    for addresses in freshness.pages(site).values():
        for url in addresses:
            response = client.get(url)
            content = response.content.decode()
            # Filled every time: after a render, a refill, from the cache (serving/slots.py).
            assert "<!--slot:" not in content, url
            found[url] = (response.status_code, _stable(content))
    return found


def _read_cold(client, site) -> dict[str, tuple[int, str]]:
    """Every page rendered from the database alone (no page, fragment or version kept),
    which also fills the caches again for the next write."""
    cache.clear()
    caches["fragments"].clear()
    local_pages.clear()
    return _read_all(client, site)


def _stable(content: str) -> str:
    # "5 minutes ago" is kept as rendered for the page's life (and in each card's key):
    # two renders a minute apart differ, stale or not.
    content = re.sub(r">(\d+ \w+ ago|just now)<", ">(a while ago)<", content)
    # A feed without entries says it was updated "now" (Django's latest_post_date).
    if "<entry>" not in content and "<item>" not in content:
        content = re.sub(r"<(updated|lastBuildDate)>[^<]*</\1>", "", content)
    return content


def _related_cards_are_current(html: str) -> list[str]:
    """What is wrong with the related cards an article page shows (empty: nothing)."""
    problems = []
    for match in RELATED.finditer(html):
        for slug, title, source in CARD.findall(match.group(0)):
            article = Article.objects.select_related("source").filter(slug=slug).first()
            if article is None or not article.is_visible:
                problems.append(f"links to {slug}, which is gone")
            elif unescape(title) != article.title or unescape(source) != article.source.name:
                problems.append(f"shows {slug} as {title!r} by {source!r}")
    return problems


def _stale(cached: dict, fresh: dict) -> list[str]:
    stale = []
    for url, (status, html) in fresh.items():
        got_status, got = cached[url]
        if url.startswith("/articles/"):
            stale += [f"{url}: related cards {p}" for p in _related_cards_are_current(got)]
            got, html = RELATED.sub("", got), RELATED.sub("", html)
        if (got_status, got) != (status, html):
            stale.append(f"{url}: {_first_difference(got, html)}")
    return stale


# xdist hands out whole files (`--dist loadfile`): the other sequences are checked in
# files of their own, so up to four workers share the 60-80 s (about 20 s each).
OWN_FILES = {
    "moved-articles": "test_freshness_property_moved.py",
    "comments-and-names": "test_freshness_property_comments.py",
    "stories-and-promos": "test_freshness_property_stories.py",
}


@pytest.mark.parametrize("sequence", sorted(set(SEQUENCES) - set(OWN_FILES)))
def test_every_page_is_fresh_after_every_write(sequence, site, client):
    check_sequence(sequence, site, client)


def test_every_sequence_left_to_a_file_of_its_own_is_checked_there():
    from pathlib import Path

    for sequence, name in OWN_FILES.items():
        text = (Path(__file__).parent / name).read_text()
        assert f'check_sequence("{sequence}", site, client)' in text, name


def check_sequence(sequence, site, client):
    """Each write of `sequence` in turn: every page read through the cache after it
    equals a fresh render."""
    editor = Client()
    editor.force_login(site.editor)
    _read_cold(client, site)  # every page cached
    stale = []
    for write in SEQUENCES[sequence]:
        freshness.reload(site)
        target, fields = getattr(freshness_writes.WRITES[write], "changes", (None, ()))
        before = _values(getattr(site, target), fields) if target else {}
        # What runs once the write commits (stories regrouping, the second bump) runs.
        with TestCase.captureOnCommitCallbacks(execute=True):
            freshness_writes.WRITES[write](site, editor)
        freshness.reload(site)
        if target:
            after = _values(getattr(site, target), fields)
            same = [f for f in fields if before[f] == after[f]]
            assert not same, f"{write} did not change {same}: the write is not what it says"
        cached = _read_all(client, site)
        stale += [f"after {write}: {line}" for line in _stale(cached, _read_cold(client, site))]
    assert not stale, "stale pages:\n" + "\n".join(stale)


def _values(obj, fields) -> dict:
    found = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname) if not field.many_to_many else None
        if field.many_to_many:
            value = sorted(getattr(obj, name).values_list("pk", flat=True))
        found[name] = str(value)
    return found


def test_every_write_is_in_a_sequence():
    assert sorted(w for seq in SEQUENCES.values() for w in seq) == sorted(freshness_writes.WRITES)


def _first_difference(cached: str, fresh: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(cached, fresh, strict=False)) if a != b), None)
    if at is None:
        return f"lengths {len(cached)} (cached) and {len(fresh)} (fresh)"
    around = slice(max(0, at - 60), at + 60)
    return f"cached {cached[around]!r} != fresh {fresh[around]!r}"


def _cached_patterns(patterns=None, prefix="") -> set[str]:
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found |= _cached_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif getattr(pattern.callback, "page_cache", False):
            found.add(prefix + str(pattern.pattern))
    return found


def test_every_cached_url_pattern_is_read_by_the_property_test(site):
    covered = set(freshness.pages(site))
    missing = _cached_patterns() - covered
    assert not missing, f"cached URL patterns the property test does not read: {missing}"
    assert not covered - _cached_patterns(), "addresses for patterns that are not cached"


def test_every_shown_field_of_a_tracked_model_is_changed_by_a_write():
    """A field readers may see is changed by one of the writes, or its model declares it
    bookkeeping. (The writes' coverage of each field is listed in freshness_writes.FIELDS.)"""
    missing = []
    for model in apps.get_models():
        decl = declaration(model)
        if decl is None:
            continue
        for field in model._meta.concrete_fields + model._meta.many_to_many:
            if field.primary_key or field.attname in decl.bookkeeping:
                continue
            if field.name in decl.bookkeeping:
                continue
            if f"{model._meta.label}.{field.name}" not in freshness_writes.FIELDS:
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, f"fields no write of the property test changes: {missing}"


# Tables cached pages read that are no tracked model's, each with what keeps them fresh.
UNTRACKED_READS = {
    # A tracked many-to-many list field's links: the owner's list tags (Article.topics).
    "articles_article_topics": "Article.CacheTags.lists",
    # A commenter's name and picture: comments.signals.author_saved (not ours to declare).
    "accounts_user": "comments.signals.author_saved",
    # The related cards' ranking by meaning (stories.related): read loosely(), the one
    # documented approximation; the cards it picks record their rows.
    "stories_lshband": "articles.views._related",
    # The sites row (feeds' get_current_site) follows SITE_URL, a setting: serving.sites.
    "django_site": "serving.sites.sync_site",
}


def test_every_table_a_cached_page_reads_is_tracked(site, client):
    """A page that reads a model no write can make stale would be stale for
    PAGE_CACHE_TIMEOUT: a new model read by a cached page must be `Tracked` (or say here
    what keeps it fresh)."""
    tables = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    with CaptureQueriesContext(connection) as queries:
        _read_cold(client, site)
    read = set()
    for query in queries.captured_queries:
        read |= set(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"]))
    untracked = {
        name
        for name in read & set(tables)
        if declaration(tables[name]) is None and name not in UNTRACKED_READS
    }
    assert not untracked, f"cached pages read tables no write makes stale: {untracked}"
