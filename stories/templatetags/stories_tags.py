"""What the article page shows from stories: `{% load stories_tags %}`.

- `{% story_coverage article %}`: "N sources cover this story", linking to the story page,
  when readers can see two or more articles of the article's story; nothing otherwise.
- `{% article_key_points article %}`: the article's key points, labelled as extracted
  automatically; nothing when it has none. In the admin's preview, those the form's
  unsaved text would give.

Each is one query, and the article page renders both inside its cached fragment.
"""

from django import template

from stories import selectors, services

register = template.Library()


@register.inclusion_tag("stories/includes/coverage.html")
def story_coverage(article):
    return {"story": selectors.coverage(article)}


@register.inclusion_tag("stories/includes/key_points.html", takes_context=True)
def article_key_points(context, article):
    """In the admin's preview of a form (`unsaved` in the context), the points publishing
    the form's text would give, computed and not stored; else the stored ones."""
    if context.get("unsaved"):
        return {"points": services.preview_points(article), "article": article}
    return {"points": selectors.article_points(article), "article": article}
