"""The image library: pictures uploaded once and used by any number of articles.

An Image keeps its file (re-encoded on upload, see articles/images.py), what editors
write about it (title, alt text, credit, caption) and a focal point; its renditions are
cropped to 16:9 around that point in AVIF (when Pillow can), WebP and JPEG. An image an
article uses, as its lead, social image or inside its body, cannot be deleted (PROTECT).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from serving.dependencies import Tracked, TrackedQuerySet

from .images import make_renditions, reencode_upload, validate_image

RATIO = 16 / 9
_fraction = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Image(Tracked, models.Model):
    """A picture in the library."""

    class CacheTags:  # serving/dependencies.py
        bookkeeping = ("title", "uploaded_by", "created_at")  # for finding it in the library

    file = models.ImageField(
        upload_to="library/%Y/%m/",
        validators=[validate_image],
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG, WebP or GIF. Replacing the file remakes every size of it.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=200, help_text="For finding it in the library.")
    alt_text = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text=(
            "What the picture shows, for readers who cannot see it. "
            "Required before an article using it is published."
        ),
    )
    credit = models.CharField(max_length=120, blank=True, help_text="Photographer or agency.")
    caption = models.CharField(max_length=300, blank=True)
    focal_x = models.FloatField(
        "focal point across",
        default=0.5,
        validators=_fraction,
        help_text="0 is the left edge, 1 the right: crops keep this point in view.",
    )
    focal_y = models.FloatField(
        "focal point down",
        default=0.5,
        validators=_fraction,
        help_text="0 is the top edge, 1 the bottom.",
    )
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        reencode_upload(self.file)  # a new upload: clean, named by its real format
        super().save(*args, **kwargs)

    @property
    def renditions_key(self) -> list:
        """What the renditions are made from: the file and the focal point."""
        return [self.file.name, self.focal_x, self.focal_y]

    def original_only(self) -> dict:
        """Renditions that are only the uploaded file, until the real ones are made."""
        return {
            "jpeg": [[self.width or 0, self.file.url]],
            "width": self.width or 0,
            "height": self.height or 0,
        }

    def store_renditions(self, key: list) -> bool:
        """Make and store the renditions for `key` (the worker); False when the image
        has changed since `key` was taken (a newer task makes those), or has them."""
        if self.renditions_key != key or self.renditions.get("key") == key:
            return False
        renditions = make_renditions(self.file.name, ratio=RATIO, focal=(key[1], key[2]))
        renditions["key"] = key
        current = Image.objects.filter(pk=self.pk, file=key[0], focal_x=key[1], focal_y=key[2])
        if not current.update(renditions=renditions):
            return False
        self.renditions = renditions
        # Bodies showing this picture print its rendition URLs: render them again.
        for use in self.body_uses.select_related("article"):
            use.article.refresh_body_html()
        return True

    def srcset(self, key: str) -> str:
        return ", ".join(f"{url} {w}w" for w, url in self.renditions.get(key, []))

    @property
    def fallback_url(self) -> str:
        jpeg = self.renditions.get("jpeg", [])
        return jpeg[min(1, len(jpeg) - 1)][1] if jpeg else ""

    @property
    def largest_url(self) -> str:
        jpeg = self.renditions.get("jpeg", [])
        return jpeg[-1][1] if jpeg else ""

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(MIME type, srcset) for each <source> of a <picture>, best first."""
        return [
            (f"image/{key}", self.srcset(key))
            for key in ("avif", "webp")
            if self.renditions.get(key)
        ]


class BodyImage(models.Model):
    """An image used inside an article's body (kept so a used image cannot be deleted)."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="body_uses")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "image"], name="body_image_once")]

    def __str__(self) -> str:
        return f"{self.image} in {self.article}"
