"""Promos: the editor-managed article banner and the footer's app block, each running
between optional start and end times (articles/selectors.py picks the running one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from serving.dependencies import Tracked, TrackedQuerySet

from .images import reencode_upload, validate_image


class PromoQuerySet(TrackedQuerySet):
    def running(self, now=None) -> PromoQuerySet:
        now = now or timezone.now()
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            is_active=True,
        )


class Promo(Tracked, models.Model):
    """Editor-managed promotional content: the article promo banner or the app block."""

    class CacheTags:  # serving/dependencies.py
        lists = ("placement",)

    class Placement(models.TextChoices):
        ARTICLE = "article", "Article page banner"
        APP_FOOTER = "app_footer", "Footer: download the app"

    placement = models.CharField(max_length=12, choices=Placement.choices)
    title = models.CharField(max_length=120)
    text = models.CharField(max_length=250, blank=True, help_text="One line of pitch.")
    link_url = models.URLField(blank=True)
    link_label = models.CharField(max_length=40, blank=True, default="Explore")

    class Colour(models.TextChoices):
        # A fixed palette rather than free hex codes: the CSP forbids inline styles, and
        # each colour here is checked for text contrast in both themes.
        ORANGE = "orange", "Orange"
        BLUE = "blue", "Blue"
        GREEN = "green", "Green"
        PLUM = "plum", "Plum"
        INK = "ink", "Ink"

    colour = models.CharField(max_length=8, choices=Colour.choices, default=Colour.ORANGE)
    background_image = models.ImageField(
        upload_to="promos/", blank=True, validators=[validate_image]
    )
    app_store_url = models.URLField("App Store link", blank=True)
    play_store_url = models.URLField("Google Play link", blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    priority = models.PositiveSmallIntegerField(default=0, help_text="Higher wins.")

    objects = PromoQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "-id"]

    def __str__(self) -> str:
        return f"{self.get_placement_display()}: {self.title}"

    def save(self, *args, **kwargs):
        reencode_upload(self.background_image)
        super().save(*args, **kwargs)

    # The badges link to the promo's own store links, else to settings.APP_STORE_URL and
    # PLAY_STORE_URL; with neither, the badge (and an app block without badges) is hidden.
    @property
    def app_store_link(self) -> str:
        return self.app_store_url or settings.APP_STORE_URL

    @property
    def play_store_link(self) -> str:
        return self.play_store_url or settings.PLAY_STORE_URL

    @property
    def has_store_links(self) -> bool:
        return bool(self.app_store_link or self.play_store_link)
