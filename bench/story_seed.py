"""Stories for the benchmarks' seeded articles, in a few bulk inserts (no grouping run).

Each article leads a story of its own, but every fifth joins the story before it (a second
report); each story gets `key_points` points from its lead. `recompute_stories` would group
by text at about 11 articles a second, too slow for a benchmark's seed; the pages and mails
measured only need stories of realistic shape. Run after django.setup().
"""

from __future__ import annotations

from stories.models import KeyPoint, Story, StoryMembership


def group_in_stories(articles: list, *, key_points: int = 2) -> list[Story]:
    """Put `articles` (saved, in the order they are to be grouped) in stories; the stories
    made, whose counts say one or two reports from one or two sources."""
    leads = [a for i, a in enumerate(articles) if i % 5 != 1]
    stories = Story.objects.bulk_create(
        (
            Story(slug=f"bench-story-{a.pk}", lead=a, published_count=1, source_count=1)
            for a in leads
        ),
        batch_size=5000,
    )
    by_lead = {s.lead_id: s for s in stories}
    members, story, sources = [], None, {}
    for a in articles:
        story = by_lead.get(a.pk, story)
        members.append(StoryMembership(article=a, story=story, reason="first"))
        sources.setdefault(story.pk, set()).add(a.source_id)
    StoryMembership.objects.bulk_create(members, batch_size=5000)
    seconds = {m.story_id for m in members if m.article_id not in by_lead}
    for count in (1, 2):
        if found := [s for s in seconds if len(sources[s]) == count]:
            Story.objects.filter(pk__in=found).update(published_count=2, source_count=count)
    KeyPoint.objects.bulk_create(
        (
            KeyPoint(
                story=s, source_article_id=s.lead_id, sentence=f"Point {n} of {s.slug}.", position=n
            )
            for s in stories
            for n in range(key_points)
        ),
        batch_size=5000,
    )
    return stories
