"""Lead images of imported articles: downloaded and checked as an admin upload is, and
an image that failed tried again on later polls with the task queue's backoff.

A failure never blocks the article (it is imported without a lead image); the failed
address is kept as a `PendingImage` and tried again, on a later poll of the same feed
(changed or not), once `jobs.retry.retry_delay(attempts)` has passed, at most
TASKS_MAX_ATTEMPTS times in all.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from articles.images import check_image_bytes
from articles.models import Article, Source
from jobs.retry import retry_delay

from .fetch import FetchError, fetch
from .models import PendingImage

IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
RETRIES_PER_POLL = 20  # a feed's poll never spends its whole budget on old images


class ImageError(Exception):
    """The image could not be used; the message says why, for editors."""


def download(url: str, *, deadline: float) -> tuple[str, bytes]:
    """The image at `url` as (file name, bytes), checked as an admin upload is."""
    try:
        result = fetch(url, max_bytes=settings.IMAGE_MAX_BYTES, accept="image/*", deadline=deadline)
        fmt, _, _ = check_image_bytes(result.body)
    except FetchError as exc:
        where = "" if url[:200] in str(exc) else f" ({url[:200]})"
        raise ImageError(f"Lead image left out{where}: {exc}") from None
    except ValidationError as exc:
        raise ImageError(f"Lead image left out ({url[:200]}): {' '.join(exc.messages)}") from None
    stem = slugify(PurePosixPath(urlsplit(url).path).stem)[:60] or "lead"
    return f"{stem}.{IMAGE_EXTENSIONS[fmt]}", result.body


def note_failure(article: Article, url: str, error: str, *, now: datetime) -> None:
    """Remember a first failure: the image is tried again on a later poll."""
    PendingImage.objects.update_or_create(
        article=article,
        defaults={
            "url": url,
            "attempts": 1,
            "retry_at": now + retry_delay(1),
            "last_error": error[:500],
        },
    )


def forget(article: Article) -> None:
    PendingImage.objects.filter(article=article).delete()


def retry_pending(*, source: Source, deadline: float, now: datetime | None = None) -> list[str]:
    """Try the source's failed images whose wait is over; return the errors of this try."""
    now = now or timezone.now()
    due = (
        PendingImage.objects.filter(article__source=source, retry_at__lte=now)
        .select_related("article")
        .order_by("retry_at")[:RETRIES_PER_POLL]
    )
    errors = []
    for pending in due:
        article = pending.article
        if article.edited_in_admin or article.feed_image_url == pending.url:
            pending.delete()  # an editor took over, or the image arrived another way
            continue
        try:
            name, data = download(pending.url, deadline=deadline)
        except ImageError as exc:
            pending.attempts += 1
            if pending.attempts >= settings.TASKS_MAX_ATTEMPTS:
                pending.delete()
                errors.append(f"{exc} (gave up after {pending.attempts} tries)")
                continue
            pending.retry_at = now + retry_delay(pending.attempts)
            pending.last_error = str(exc)[:500]
            pending.save()
            errors.append(
                f"{exc} (try {pending.attempts}, next in {retry_delay(pending.attempts)})"
            )
            continue
        article.lead_image.save(name, ContentFile(data), save=False)
        article.feed_image_url = pending.url
        article.save()
        pending.delete()
    return errors
