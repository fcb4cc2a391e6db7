"""Key points that add: body prose only, never the first paragraph, no near-repeats,
"also reported by" on a story's merged points, none rather than padding, and a preview
that shows what publishing would."""

import re
from itertools import combinations

import pytest
from django.urls import reverse

from articles.models import Article
from demo import demo_stories
from stories import evaluation, keypoints, prose, services
from stories.models import KeyPoint
from tests import factories

from .conftest import make

PREVIEW_URL = reverse("admin:articles_article_preview")
LONG = [
    "The lifeboat launched at ten past four after a mayday call from the trawler.",
    "Waves of four metres broke over the reef while the crew waited on the wheelhouse roof.",
    "Coxswain Ailsa Rennick said the volunteers took the fishermen off two at a time.",
    "Two of the crew were treated for cold at the harbour and later went home.",
    "The owners said a salvage team would try to refloat the boat at the next high tide.",
    "The harbour master closed the channel to other boats until the wreck is moved.",
]


def body_of(paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_no_point_repeats_the_first_paragraph_or_the_summary():
    summary = "All eleven crew of the trawler Morning Wren were saved from Gull Reef."
    first = "Eleven fishermen were rescued from a trawler on Gull Reef in a gale before dawn."
    points = keypoints.article_points("Eleven saved", summary, body_of([first, *LONG]))
    assert points
    texts = [s for _, s in points]
    assert first not in texts and summary not in texts
    # A later sentence that says the first paragraph again is no point either.
    again = "Eleven fishermen were rescued from the trawler on Gull Reef in a gale at dawn."
    points = keypoints.article_points("Eleven saved", summary, body_of([first, again, *LONG]))
    assert again not in [s for _, s in points]


def test_points_come_from_body_prose_only():
    body = (
        "<p>PORT CALLOW, 3 March</p>"
        "<p>By Ana Reyes and Tom Vell</p>"
        "<p>PORT CALLOW — Eleven fishermen were rescued from a trawler on Gull Reef today.</p>"
        "<ul><li>The lifeboat crew had trained for exactly this kind of night on the reef.</li>"
        "<li>Volunteers from three villages joined the search along the shore at first light.</li>"
        "</ul>"
        "<figure><img src='/x.jpg' alt=''><figcaption>The lifeboat returns to the harbour "
        "after the long rescue on the reef.</figcaption></figure>"
        "<blockquote>We took them off two at a time, one wave after another, said the cox."
        "</blockquote>"
        '<p class="pull-quote">Every one of them came home to their families tonight, she said.</p>'
        "<h2>The rescue on the reef</h2>" + body_of(LONG) + "<p>Photo: Harbour Ledger</p>"
    )
    found = prose.paragraphs(body)
    assert found[0] == "Eleven fishermen were rescued from a trawler on Gull Reef today."
    assert found[1:] == LONG
    points = [s for _, s in keypoints.article_points("Rescue", "", body)]
    assert points and set(points) <= set(LONG)


def test_plain_text_bodies_split_at_blank_lines():
    assert prose.paragraphs("One line here.\n\nAnother line there.") == [
        "One line here.",
        "Another line there.",
    ]


def test_too_little_to_add_gives_no_points_rather_than_padding():
    short = body_of(["The ward closes at night.", *LONG[:3]])
    assert keypoints.article_points("Ward", "A summary.", short) == []
    assert keypoints.article_points("Ward", "", "") == []
    assert len(keypoints.article_points("Ward", "", body_of(["Opening.", *LONG]))) == 2


def test_no_two_points_of_an_article_say_the_same():
    near = "Coxswain Ailsa Rennick said the volunteers took the fishermen off two by two."
    points = keypoints.article_points("Rescue", "", body_of(["Opening.", *LONG, near, *LONG]))
    texts = [s for _, s in points]
    for a, b in combinations(texts, 2):
        assert keypoints.token_jaccard(a, b) < keypoints.DUPLICATE_JACCARD


def test_story_merges_near_duplicates_keeping_the_earliest_and_naming_the_others(
    client, db, django_capture_on_commit_callbacks
):
    quote = "Coxswain Ailsa Rennick said the volunteers took the fishermen off two at a time."
    echo = "Coxswain Ailsa Rennick said volunteers took the fishermen off two at a time."
    sources = [factories.SourceFactory(name=n) for n in ("Harbour Ledger", "Northwind Wire")]
    with django_capture_on_commit_callbacks(execute=True):
        first = make(
            "Lifeboat crew rescues eleven from a trawler aground on Gull Reef",
            "All eleven crew of the Morning Wren were brought ashore.",
            ["Eleven fishermen were rescued from Gull Reef before dawn.", *LONG],
            hours_ago=5,
            source=sources[0],
        )
        second = make(
            "Lifeboat crew rescues eleven from trawler aground on Gull Reef",
            "All eleven crew of the Morning Wren were brought ashore safely.",
            [
                "Eleven fishermen were rescued from Gull Reef before dawn on Tuesday.",
                echo,
                "The trawler's skipper thanked the volunteers from the harbour steps.",
                "A coastguard helicopter stood by for an hour in case it was needed.",
                "The trawler had left port the evening before with a full crew of eleven.",
            ],
            hours_ago=4,
            source=sources[1],
        )
    story = first.story_membership.story
    assert second.story_membership.story == story
    # The articles' own points, as an editor-free extraction might give them.
    services.save_points(
        {first.pk: [(0, quote), (1, LONG[4])], second.pk: [(0, echo), (1, LONG[5])]}
    )
    services.refresh_stories([story.pk])
    points = list(KeyPoint.objects.filter(story=story).shown())
    texts = [p.sentence for p in points]
    for a, b in combinations(texts, 2):
        assert keypoints.token_jaccard(a, b) < keypoints.DUPLICATE_JACCARD
    assert echo not in texts and quote in texts
    merged = points[texts.index(quote)]  # quotes the earliest report and names the other
    assert merged.source_article_id == first.pk
    assert merged.also_reported_by == [second.pk]
    page = client.get(story.get_absolute_url()).content.decode()
    assert re.search(r"also reported by <a href=\"[^\"]+\">Northwind Wire</a>", page)
    data = client.get(f"/api/v1/stories/{story.slug}").json()
    also = [p["also_reported_by"] for p in data["key_points"] if p["text"] == quote]
    assert also == [[{"source_article": second.slug, "source": also[0][0]["source"]}]]
    assert also[0][0]["source"]["name"] == "Northwind Wire"


def test_merged_point_is_the_earliest_with_the_others_named():
    quote = "Coxswain Ailsa Rennick said the volunteers took the fishermen off two at a time."
    echo = "Coxswain Ailsa Rennick said volunteers took the fishermen off two at a time."
    other = "A salvage team will try to refloat the trawler at the next high tide tonight."
    chosen = keypoints.story_points([(1, quote), (1, other), (2, echo), (3, quote)])
    assert [0, 2, 3] in chosen and [1] in chosen


def test_every_point_of_the_labelled_sets_and_demo_adds(db):
    """Across every text written for stories: no point repeats its article's first
    paragraph or summary, and no two points of one text are near-duplicates."""
    texts = [
        (i.summary, body_of(i.paragraphs)) for p in evaluation.PATHS for i in evaluation.items(p)
    ]
    for story in demo_stories.COVERED_STORIES:
        texts += [(part[4], body_of(part[5])) for part in story]
    with_points = 0
    for summary, body in texts:
        lead, _ = keypoints.lead_and_body(summary, body)
        points = [s for _, s in keypoints.article_points("", summary, body)]
        with_points += bool(points)
        for point in points:
            assert all(keypoints.token_jaccard(point, s) < 0.6 for s in lead), point
        for a, b in combinations(points, 2):
            assert keypoints.token_jaccard(a, b) < keypoints.DUPLICATE_JACCARD
    assert with_points >= 1  # most of these texts are short: nothing to add


def _preview_form(source, **overrides):
    data = {
        "title": "Lifeboat crew rescues eleven on Gull Reef",
        "slug": "",
        "summary": "All eleven were brought ashore.",
        "body": body_of(["Eleven fishermen were rescued before dawn.", *LONG]),
        "source": source.pk,
        "status": "draft",
        "comments_enabled": "on",
    }
    return data | overrides


def shown_points(page: str) -> list[str]:
    found = re.search(r'<ul class="key-points__list">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def test_preview_of_an_unsaved_article_shows_what_publishing_would(
    client, editor, ferry_story, django_capture_on_commit_callbacks
):
    assert KeyPoint.objects.filter(article=None).exists()  # other stories' points exist
    client.force_login(editor)
    source = factories.SourceFactory()
    data = _preview_form(source)
    previewed = shown_points(client.post(PREVIEW_URL, data).content.decode())
    assert not Article.objects.filter(source=source).exists()
    with django_capture_on_commit_callbacks(execute=True):
        article = make(data["title"], data["summary"], [], source=source, status="published")
        article.body = data["body"]
        article.save()
    published = shown_points(client.get(article.get_absolute_url()).content.decode())
    assert previewed and previewed == published
    assert set(previewed) <= {p.replace("'", "&#x27;") for p in LONG}


def test_preview_of_a_saved_article_keeps_its_editors_points(client, editor, ferry_story):
    first = ferry_story[0]
    point = KeyPoint.objects.filter(article=first).first()
    point.edited_text, point.edited_by_editor = "Crews stopped work at dawn.", True
    point.save()
    client.force_login(editor)
    data = _preview_form(
        first.source,
        title=first.title,
        slug=first.slug,
        summary=first.summary,
        body=first.body,
        status="published",
        _preview_of=str(first.pk),
    )
    previewed = shown_points(client.post(PREVIEW_URL, data).content.decode())
    stored = [p.text for p in KeyPoint.objects.filter(article=first).shown()]
    assert previewed == [p.replace("'", "&#x27;") for p in stored]
    assert "Crews stopped work at dawn." in previewed
    services.save_article_points(first)  # publishing again gives the same
    assert [p.text for p in KeyPoint.objects.filter(article=first).shown()] == stored


@pytest.mark.parametrize("pk", [None])
def test_unsaved_article_has_no_stored_points(db, pk, ferry_story):
    from stories import selectors

    assert selectors.article_points(Article(pk=pk)) == []
