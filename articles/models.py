"""Articles, their sources and topics, corrections, revisions and promos."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django_tasks import TaskResultStatus

from .images import validate_image
from .sanitize import MarkupTooComplex, check_markup, sanitize_html

# What the feed provides. An editor who changes any of these in the admin takes the
# article over: later fetches leave it alone.
FEED_FIELDS = frozenset(
    {"title", "summary", "body", "byline", "original_url", "lead_image", "topics", "agency"}
)

WORDS_PER_MINUTE = 230


class Source(models.Model):
    """A publisher or a wire agency whose articles the site carries."""

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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:source", kwargs={"slug": self.slug})

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class Topic(models.Model):
    """A subject readers can follow; articles carry any number of topics."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    in_navigation = models.BooleanField(
        default=False, help_text="Show in the site header and as a section on the home page."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    """The one place that decides what readers may see."""

    def published(self, now=None) -> ArticleQuerySet:
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def for_cards(self) -> ArticleQuerySet:
        """Everything a card prints, in the same query."""
        return self.select_related("source", "agency").defer("body")

    # The page prints the body with |safe: every write path sanitizes it, not only save().
    def update(self, **kwargs) -> int:
        if "body" in kwargs:
            kwargs["body"] = _safe_body(kwargs["body"])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs) -> list[Article]:
        objs = list(objs)
        for obj in objs:
            obj.body = sanitize_html(obj.body)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        if "body" not in fields:
            return super().bulk_update(objs, fields, *args, **kwargs)
        objs = list(objs)
        for obj in objs:
            obj.body = sanitize_html(obj.body)
        token = _bodies_sanitized.set(True)  # update() then gets a CASE of clean values
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _bodies_sanitized.reset(token)


_bodies_sanitized: ContextVar[bool] = ContextVar("bodies_sanitized", default=False)


def _safe_body(value):
    if isinstance(value, str):
        return sanitize_html(value)
    if _bodies_sanitized.get():
        return value
    # An expression (Concat, F, Replace...) is computed by the database, past nh3.
    raise TypeError("Article.body can only be updated to text, which is sanitized first.")


class Article(models.Model):
    """A story: written here or republished from a source."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=250, unique=True, help_text="The article's address.")
    summary = models.TextField(
        blank=True, help_text="One or two sentences shown on cards and in search results."
    )
    body = models.TextField(
        blank=True,
        help_text="HTML. Scripts, styles and event handlers are removed when saved.",
    )
    lead_image = models.ImageField(
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[validate_image],
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text="Describe the picture for readers who cannot see it. Empty: the headline.",
    )
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    lead_image_credit = models.CharField("credit", max_length=120, blank=True)
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    agency = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agency_articles",
        limit_choices_to={"kind": Source.Kind.AGENCY},
        verbose_name="wire agency",
        help_text="The wire agency the copy comes from, credited on the page and the cards.",
    )
    byline = models.CharField(max_length=200, blank=True)
    # The author page's address (/authors/<byline_slug>/), kept in step with the byline.
    byline_slug = models.SlugField(max_length=200, blank=True, editable=False)
    original_url = models.URLField(
        max_length=500, blank=True, help_text="Where the source first published this copy."
    )
    guid = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The feed entry's id, for articles imported from a feed.",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="A future time schedules the article: it appears by itself then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_enabled = models.BooleanField(default=True)
    # Feed ingestion bookkeeping: what the entry looked like when it was last imported, and
    # whether an editor has since changed what the feed provides (then the feed no longer
    # overwrites the article).
    feed_hash = models.CharField(max_length=64, blank=True, editable=False)
    feed_image_url = models.URLField(max_length=500, blank=True, editable=False)
    feed_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_in_admin = models.BooleanField(default=False, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_pub_idx"),
            models.Index(fields=["byline_slug", "-published_at"], name="article_byline_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], condition=~Q(guid=""), name="article_source_guid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Sanitize on write: templates print the stored body as it is.
        self.body = sanitize_html(self.body)
        if not self.slug:
            self.slug = unique_slug(self.title)
        self.byline_slug = slugify(self.byline)[:200]
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        self._refresh_renditions()

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """The admin's form gets a message, not a 500, for markup too deep to clean."""
        super().clean()
        try:
            check_markup(self.body or "")
        except MarkupTooComplex as exc:
            raise ValidationError({"body": f"This body cannot be saved: {exc}."}) from None

    @property
    def is_visible(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def image_alt(self) -> str:
        return self.lead_image_alt or self.title

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at an adult's 230 words a minute, at least one."""
        words = len(strip_tags(self.body).split())
        return max(1, round(words / WORDS_PER_MINUTE))

    def get_author_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.byline_slug})

    @property
    def shows_byline(self) -> bool:
        """Print the byline unless it only repeats the source's name (common in feeds)."""
        byline = self.byline.strip().casefold()
        return bool(byline) and byline != self.source.name.strip().casefold()

    def _refresh_renditions(self) -> None:
        """When the lead image changes, drop the old renditions and have the worker make
        new ones (articles/tasks.py). The task row is written in this transaction, so it
        runs only once the article is committed."""
        from .tasks import make_article_renditions

        name = self.lead_image.name or ""
        if self.lead_image_renditions.get("source", "") == name:
            return
        if self.lead_image_renditions:
            self.lead_image_renditions = {}
            Article.objects.filter(pk=self.pk).update(lead_image_renditions={})
        if not name:
            return
        result = make_article_renditions.enqueue(self.pk, name)
        if result.status == TaskResultStatus.SUCCESSFUL:  # an immediate backend (tests)
            self.lead_image_renditions = result.return_value

    @property
    def srcset_webp(self) -> str:
        return ", ".join(f"{url} {w}w" for w, url in self.lead_image_renditions.get("webp", []))

    @property
    def srcset_jpeg(self) -> str:
        return ", ".join(f"{url} {w}w" for w, url in self.lead_image_renditions.get("jpeg", []))

    @property
    def image_fallback_url(self) -> str:
        jpeg = self.lead_image_renditions.get("jpeg", [])
        return jpeg[min(1, len(jpeg) - 1)][1] if jpeg else ""

    @property
    def image_dimensions(self) -> tuple[int, int]:
        r = self.lead_image_renditions
        return r.get("width", 0), r.get("height", 0)


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title that no other article uses."""
    base = slugify(title)[:230] or "article"
    slug, n = base, 2
    others = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class Correction(models.Model):
    """A dated correction or update shown at the foot of the article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text, shown as written.")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.published_at:%d %b %Y}"


class ArticleRevision(models.Model):
    """A snapshot of an article taken at each admin save, restorable later."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    changed_fields = models.JSONField(default=list)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of {self.created_at:%d %b %Y %H:%M}"


class PromoQuerySet(models.QuerySet):
    def running(self, now=None) -> PromoQuerySet:
        now = now or timezone.now()
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            is_active=True,
        )


class Promo(models.Model):
    """Editor-managed promotional content: the article promo banner or the app block."""

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

    # The badges link to the promo's own store links, else to settings.APP_STORE_URL and
    # PLAY_STORE_URL; with neither, the badge (and an app block without badges) is hidden.
    @property
    def app_store_link(self) -> str:
        return self.app_store_url or getattr(settings, "APP_STORE_URL", "")

    @property
    def play_store_link(self) -> str:
        return self.play_store_url or getattr(settings, "PLAY_STORE_URL", "")

    @property
    def has_store_links(self) -> bool:
        return bool(self.app_store_link or self.play_store_link)
