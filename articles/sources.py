"""Where articles come from and what they are about: sources (publishers, wire agencies and
the house itself) and topics. Exported by articles.models with the other models."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from serving.dependencies import Tracked, TrackedQuerySet

from .images import reencode_upload, validate_image
from .validators import validate_css_selector


class Source(Tracked, models.Model):
    """A publisher or a wire agency whose articles the site carries."""

    class CacheTags:  # serving/dependencies.py
        # Read by the fetcher and the admin only.
        bookkeeping = (
            "feed_url",
            "is_active",
            "auto_publish",
            "aliases",
            # How the fetcher reads the source's pages (ingest/fulltext.py).
            "fetch_full_text",
            "full_text_selector",
            "full_text_drop",
        )

    class Kind(models.TextChoices):
        PUBLISHER = "publisher", "Publisher"
        AGENCY = "agency", "Wire agency"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PUBLISHER)
    homepage_url = models.URLField(blank=True, help_text="The source's own home page.")
    logo = models.ImageField(upload_to="sources/", blank=True, validators=[validate_image])
    description = models.TextField(blank=True, help_text="One or two sentences for its page.")
    feed_url = models.URLField(
        blank=True, max_length=500, help_text="RSS or Atom feed fetched by ingest_feeds."
    )
    aliases = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "Wire agencies only: other names the agency goes by in feeds, comma separated "
            '(for example "AP, Associated Press").'
        ),
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive sources are not fetched."
    )
    auto_publish = models.BooleanField(
        default=False,
        help_text="Publish imported articles at once instead of leaving them as drafts.",
    )
    noindex = models.BooleanField(
        default=False,
        help_text="Ask search engines not to index this source's republished copy.",
    )
    # Trust (issue 31, docs/stories.md): a new source's articles join stories but never
    # lead one, report it first or give its key points until an editor vets the source.
    vetted = models.BooleanField(
        default=False,
        help_text="An editor knows this source: its articles may lead a story, be its first "
        "report and give its key points. New sources are not vetted until an editor says so.",
    )
    # Full text (issue 30): the worker fetches each new entry's page (ingest/fulltext.py).
    fetch_full_text = models.BooleanField(
        "fetch the full article",
        default=False,
        help_text="For feeds that carry only a summary: each new or changed entry's page is "
        "fetched and its article text becomes the body (the feed's summary stays the "
        "summary). Pages that refuse, are paywalled or give too little text keep the "
        "summary; the source list says why.",
    )
    full_text_selector = models.CharField(
        "article body selector",
        max_length=300,
        blank=True,
        validators=[validate_css_selector],
        help_text="Optional CSS selector of the article text on this source's pages, for "
        'sites where it is not found by itself (for example "article .story-body").',
    )
    full_text_drop = models.CharField(
        "parts to drop",
        max_length=500,
        blank=True,
        validators=[validate_css_selector],
        help_text="Optional CSS selectors of parts removed from the page first, comma "
        'separated (for example ".share-bar, .newsletter-signup, aside").',
    )

    # The site itself (issue 33): its own reporting is credited to it, never shown as
    # republished. Made by migration 0013 from SITE_NAME; at most one (the constraint).
    is_house = models.BooleanField(
        "the house",
        default=False,
        editable=False,
        help_text="This site itself: the source of the newsroom's own articles.",
    )

    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_house"], condition=Q(is_house=True), name="source_one_house"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        reencode_upload(self.logo)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:source", kwargs={"slug": self.slug})

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class Topic(Tracked, models.Model):
    """A subject readers can follow; articles carry any number of topics."""

    class CacheTags:  # serving/dependencies.py: every field shows
        pass

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    in_navigation = models.BooleanField(
        default=False, help_text="Show in the site header and as a section on the home page."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    objects = TrackedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", kwargs={"slug": self.slug})
