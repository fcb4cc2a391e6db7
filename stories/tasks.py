"""Background entry points. Each is one plain function of primitive arguments, so a task
queue can wrap it as it is (see docs/stories.md); until then signals run it on commit."""

from __future__ import annotations


def assign_article(article_id: int) -> None:
    """Group one article into its story and refresh its key points (off the request path)."""
    from .services import assign_article as assign

    assign(article_id)
