"""The incoming desk in Chromium at 375 and 1280 px (issue 33, point 4): drafts grouped by
story, worked from the keyboard (j/k, x, o, p, r), no axe violation, no console error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from stories.models import Story, StoryMembership
from tests.browser.conftest import assert_no_horizontal_scroll, axe_violations, sign_in_to_admin
from tests.factories import ArticleFactory, EditorFactory, SourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _draft(title, source, minutes_ago, summary):
    article = ArticleFactory(
        title=title,
        source=source,
        summary=summary,
        body=f"<p>{summary} {title}.</p>",
        status=Article.Status.DRAFT,
        guid=f"urn:{title}",
        published_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    Article.objects.filter(pk=article.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return article


def _desk():
    ledger = SourceFactory(name="The Harbour Ledger", auto_publish=True)
    courier = SourceFactory(name="Valley Courier", vetted=False)
    gazette = SourceFactory(name="Cape Gazette")
    ferry = [
        _draft("Ferry strike ends after talks", ledger, 55, "Crews return on Monday."),
        _draft("Ferry crews back at work", courier, 12, "The timetable resumes."),
        _draft("Ferries sail again on the northern route", gazette, 30, "Night sailings wait."),
    ]
    story = Story.objects.create(slug="ferry-strike", lead=ferry[0])
    for article in ferry:  # whatever the matcher made of them: one event
        StoryMembership.objects.update_or_create(
            article=article, defaults={"story": story, "reason": "similar"}
        )
    _draft("Chess club wins the county cup", courier, 20, "A last-round draw was enough.")
    _draft("Library opens on Sundays", gazette, 90, "From next month, noon to five.")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_desk_from_the_keyboard(live_server, page_at, artifacts, width):
    EditorFactory(username="ines", email="ines@example.org")
    _desk()
    page = page_at(width)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    sign_in_to_admin(page, live_server.url, "ines")
    page.get_by_role("link", name="Incoming desk").click()
    expect(page.locator("h1")).to_have_text("Incoming desk")
    stories = page.locator(".desk-story")
    expect(stories).to_have_count(3)
    expect(stories.first).to_contain_text("3 drafts from 3 sources")
    expect(stories.first.locator(".desk-item").first).to_contain_text("Ferry crews back at work")
    expect(page.locator(".desk-sources")).to_contain_text("Valley Courier 2")
    expect(page.locator(".desk-item").first).to_contain_text("New source")
    found = axe_violations(page)
    assert found == [], "\n".join(found)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / f"incoming-desk-{width}.png"), full_page=True)

    # j moves to the first draft, j again to the second; p publishes it and the cursor
    # comes back on the draft that followed.
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(".desk-item.is-current")).to_contain_text("Ferries sail again")
    page.keyboard.press("p")
    expect(page.locator(".messagelist")).to_contain_text("Published 1 draft")
    expect(page.locator(".desk-item.is-current")).to_contain_text("Ferry strike ends")
    assert Article.objects.get(title__startswith="Ferries sail").status == "published"
    # r rejects the current one.
    page.keyboard.press("r")
    expect(page.locator(".messagelist")).to_contain_text("Rejected 1 draft")
    assert Article.objects.get(title__startswith="Ferry strike").status == "withdrawn"
    # x selects two, o opens them in full.
    expect(page.locator(".desk-item.is-current")).to_contain_text("Chess club")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("o")
    expect(page.locator(".desk-intro")).to_contain_text("2 selected drafts, in full")
    expect(page.locator(".desk-item__body")).to_have_count(2)
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"incoming-desk-opened-{width}.png"), full_page=True)
    assert errors == []
    assert reverse("admin:stories_incoming") in page.url
