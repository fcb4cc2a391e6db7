"""What the article page shows from stories: `{% load stories_tags %}`.

- `{% story_coverage article %}`: "N sources cover this story", linking to the story page,
  when readers can see two or more articles of the article's story; nothing otherwise.
- `{% article_key_points article %}`: the article's key points, labelled as extracted
  automatically; nothing when it has none.

Each is one query, and the article page renders both inside its cached fragment.
"""

from django import template

from stories import selectors

register = template.Library()


@register.inclusion_tag("stories/includes/coverage.html")
def story_coverage(article):
    return {"story": selectors.coverage(article)}


@register.inclusion_tag("stories/includes/key_points.html")
def article_key_points(article):
    return {"points": selectors.article_points(article), "article": article}
