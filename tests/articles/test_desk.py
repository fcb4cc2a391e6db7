"""The editors' desk: preview before saving, readable revision diffs, pins, zone-named
times and the admin's branding."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import publishing, selectors
from articles.models import Article, ArticleRevision, Pin
from tests.factories import ArticleFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("admin:articles_article_preview")


def _form(source, **overrides):
    data = {
        "title": "Night buses return to the valley",
        "slug": "",
        "summary": "Three routes from Friday.",
        "body": "<h2>Routes</h2><p>The <strong>N4</strong> runs hourly.</p><script>x()</script>",
        "source": source.pk,
        "status": "draft",
        "comments_enabled": "on",
    }
    return data | overrides


def test_preview_renders_the_unsaved_article_and_stores_nothing(client, editor):
    client.force_login(editor)
    response = client.post(PREVIEW_URL, _form(SourceFactory(name="Valley Courier")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Night buses return to the valley" in page and "<h2>Routes</h2>" in page
    assert "Preview - not published" in page and "Not saved yet" in page
    assert "<script>x()" not in page and "Valley Courier" in page
    assert "no-store" in response["Cache-Control"]
    assert not Article.objects.exists()


def test_preview_of_a_scheduled_article_names_time_and_zone(client, editor, settings):
    article = ArticleFactory(status="draft", published_at=None)
    client.force_login(editor)
    when = timezone.localtime() + timezone.timedelta(days=2)
    data = _form(
        article.source,
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1="09:30:00",
        _preview_of=str(article.pk),
    )
    page = client.post(PREVIEW_URL, data).content.decode()
    assert "Scheduled for" in page and "(UTC)" in page


def test_preview_needs_post_staff_and_csrf(client, reader, editor):
    assert client.get(PREVIEW_URL).status_code in (302, 405)
    client.force_login(reader)
    assert client.post(PREVIEW_URL, {}).status_code == 302  # the admin's login
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(PREVIEW_URL, _form(SourceFactory())).status_code == 403


def test_preview_of_someone_elses_object_needs_change_permission(client, moderator):
    article = ArticleFactory()
    client.force_login(moderator)
    assert client.post(PREVIEW_URL, {"_preview_of": article.pk}).status_code in (302, 403)


def _history(editor):
    article = ArticleFactory(title="Old title <b>", summary="Same.", body="<p>First.</p>")
    publishing.record(article=article, author=editor, changed_fields=["title"])
    article.title = "New title <script>alert(1)</script>"
    article.body = "<p>First.</p><p>Second paragraph.</p>"
    article.save()
    publishing.record(article=article, author=editor, changed_fields=["title", "body"])
    return article


def test_diff_shows_title_and_body_changes_escaped_with_who_and_when(client, editor):
    article = _history(editor)
    client.force_login(editor)
    url = reverse("admin:articles_article_diff", args=[article.pk])
    page = client.get(url).content.decode()
    # Word by word: each word escaped, then marked.
    assert "<del>Old</del> title <del>&lt;b&gt;</del>" in page
    assert "<ins>New</ins> title <ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in page
    assert "<script>alert(1)" not in page
    assert "<ins>Second paragraph.</ins>" in page
    assert "Summary <small>(no change)</small>" in page
    assert str(editor) in page and "UTC" in page
    # What changed, in words, not as a list of field names.
    assert "it changed Title, Body" in page
    assert '["title", "body"]' not in page


def test_diff_between_any_two_revisions_and_restore_as_new_revision(client, editor):
    article = _history(editor)
    older, newer = ArticleRevision.objects.filter(article=article).order_by("created_at", "pk")
    client.force_login(editor)
    url = reverse("admin:articles_article_diff", args=[article.pk])
    page = client.get(url, {"a": newer.pk, "b": older.pk}).content.decode()  # swapped: fine
    assert "<del>Old</del> title" in page
    restore = reverse("admin:articles_article_restore", args=[article.pk, older.pk])
    assert restore in page
    client.post(restore)
    article.refresh_from_db()
    assert article.title == "Old title <b>"
    assert ArticleRevision.objects.filter(article=article).count() == 3


def test_diff_is_refused_without_permission(client, moderator):
    article = ArticleFactory()
    client.force_login(moderator)
    response = client.get(reverse("admin:articles_article_diff", args=[article.pk]))
    assert response.status_code == 403


def test_pinned_article_leads_the_home_page_until_the_pin_ends(client):
    older = ArticleFactory(
        title="Older but pinned", published_at=timezone.now() - timezone.timedelta(days=3)
    )
    ArticleFactory(title="Newest story")
    pin = Pin.objects.create(article=older)
    assert selectors.pinned_lead() == older
    page = client.get(reverse("articles:home")).content.decode()
    lead = page[page.index("lead-story") :]
    assert lead.index("Older but pinned") < lead.index("Newest story")
    pin.ends_at = timezone.now() - timezone.timedelta(seconds=1)
    pin.starts_at = timezone.now() - timezone.timedelta(hours=1)
    pin.save()
    assert selectors.pinned_lead() is None


def test_an_unpublished_pinned_article_does_not_lead():
    draft = ArticleFactory(status="draft", published_at=None)
    Pin.objects.create(article=draft)
    assert selectors.pinned_lead() is None


def test_imported_article_without_image_never_leads_by_itself():
    imported = ArticleFactory(title="Wire copy", guid="urn:wire:1")
    written_here = ArticleFactory(
        title="Our story", published_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert selectors.choose_lead([imported, written_here]) == written_here


def test_topic_pins_come_first_on_the_topic_page(client, settings):
    topic = TopicFactory()
    pinned = ArticleFactory(
        title="Pinned explainer", published_at=timezone.now() - timezone.timedelta(days=9)
    )
    pinned.topics.add(topic)
    for i in range(3):
        ArticleFactory(title=f"Fresh {i}").topics.add(topic)
    Pin.objects.create(article=pinned, topic=topic)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert page.index("Pinned explainer") < page.index("Fresh 0")
    assert page.count("Pinned explainer") == 1 + page.count('alt="Pinned explainer"')


def test_pin_action_pins_the_home_lead(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "pin_home_lead", "_selected_action": [article.pk]},
    )
    assert Pin.objects.get().article == article


def test_admin_names_the_site_and_times_carry_their_zone(client, editor, settings):
    ArticleFactory()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Django administration" not in page and settings.SITE_NAME in page
    assert reverse("articles:home") in page
    assert " UTC</td>" in page


def test_edit_form_has_counters_preview_and_zone(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'data-count-to="90"' in page and "char-counter.js" in page
    assert f'formaction="{PREVIEW_URL}"' in page
    assert "Times are in UTC" in page
    assert "data-django-prose-editor-configurable" in page
    # The editor's import map is inline: it carries the response's CSP nonce.
    nonce = page.split('<script type="importmap"')[1].split('nonce="')[1].split('"')[0]
    assert nonce


def test_restore_brings_back_the_library_picture_if_it_still_exists(editor):
    from articles.library import Image
    from tests.factories import image_upload

    picture = Image.objects.create(file=image_upload(), title="Quay", alt_text="Quay")
    article = ArticleFactory(image=picture, social_title="Share me")
    first = publishing.record(article=article, author=editor, changed_fields=["image"])
    article.image, article.social_title = None, ""
    article.save()
    publishing.restore(revision=first, author=editor)
    article.refresh_from_db()
    assert article.image == picture and article.social_title == "Share me"


def test_a_pin_ending_expires_the_cached_pages():
    article = ArticleFactory()
    ends = timezone.now() + timezone.timedelta(minutes=5)
    Pin.objects.create(article=article, ends_at=ends)
    assert selectors.next_scheduled_change() == ends


def test_read_only_times_in_the_admin_name_their_zone(client, editor):
    from articles.library import Image
    from tests.factories import image_upload

    picture = Image.objects.create(file=image_upload(), title="Quay", alt_text="Quay")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_image_change", args=[picture.pk])).content
    local = timezone.localtime(picture.created_at)
    assert f"{local:%H:%M} UTC" in page.decode()
