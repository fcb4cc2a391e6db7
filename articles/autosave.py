"""Autosave: what an editor has typed into an article form, kept every few seconds.

One record per editor and article (or per editor for a new, unsaved article). The form
offers it back when the editor reopens the article, so a closed tab loses at most a few
seconds of work; saving the article for real deletes it. static/js/autosave.js posts
the form to the admin's autosave view (articles/admin_views.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# What is kept: the words. Choices (status, dates, source) are quick to set again and
# would need the whole form's validation to restore safely.
FIELDS = ("title", "slug", "summary", "body", "byline", "social_title", "social_description")
MAX_CHARS = 200_000  # per field: the body of a very long article, no more


class Autosave(models.Model):
    """An editor's unsaved text for one article (or for a new one)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, null=True, blank=True)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="autosave_one_per_user_article",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article__isnull=True), name="autosave_one_new_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Autosave by {self.user} at {self.saved_at:%H:%M:%S}"


def keep(*, user, article, post) -> Autosave:
    """Store the text fields of a posted form as this editor's autosave."""
    data = {name: post.get(name, "")[:MAX_CHARS] for name in FIELDS if name in post}
    autosave, _ = Autosave.objects.update_or_create(
        user=user, article=article, defaults={"data": data, "saved_at": timezone.now()}
    )
    return autosave


def pending(*, user, article) -> Autosave | None:
    """The autosave to offer back: newer than the article's last real save."""
    autosave = Autosave.objects.filter(user=user, article=article).first()
    if autosave and article is not None and autosave.saved_at <= article.updated_at:
        return None
    return autosave


def discard(*, user, article) -> None:
    Autosave.objects.filter(user=user, article=article).delete()
