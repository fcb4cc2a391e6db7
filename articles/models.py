"""Articles, their corrections and revisions (sources and topics, promos, pins, images
and autosaves live in their own modules and are exported here)."""

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

from serving.dependencies import Tracked, TrackedQuerySet

from .autosave import Autosave
from .body import library_ids, render_body
from .images import reencode_upload, validate_image
from .lead_image import LeadImageDisplay
from .library import BodyImage, Image
from .pins import Pin
from .promos import Promo
from .sanitize import MarkupTooComplex, check_markup, sanitize_html
from .sources import Source, Topic

# What the feed provides. An editor who changes any of these in the admin takes the
# article over: later fetches leave it alone.
FEED_FIELDS = frozenset(
    {"title", "summary", "body", "byline", "original_url", "lead_image", "topics", "agency"}
)

WORDS_PER_MINUTE = 230

__all__ = [
    "FEED_FIELDS",
    "Article",
    "Autosave",
    "BodyImage",
    "Correction",
    "Image",
    "Pin",
    "Promo",
    "Source",
    "Topic",
]


class ArticleQuerySet(TrackedQuerySet):
    """The one place that decides what readers may see."""

    def published(self, now=None) -> ArticleQuerySet:
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now)

    def for_cards(self) -> ArticleQuerySet:
        """Everything a card prints, in the same query."""
        return self.select_related("source", "agency", "image").defer("body", "body_html")

    # The page prints the body with |safe: every write path sanitizes it, not only save().
    # The reader's rendering (body_html) follows the body on every path too.
    def update(self, **kwargs) -> int:
        if isinstance(kwargs.get("byline"), str):
            kwargs["byline_slug"] = byline_slug(kwargs["byline"])
        if "body" in kwargs:
            kwargs["body"] = _safe_body(kwargs["body"])
            if isinstance(kwargs["body"], str):
                kwargs["body_html"] = _reader_html(kwargs["body"])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs) -> list[Article]:
        objs = list(objs)
        for obj in objs:
            obj.body = sanitize_html(obj.body)
            obj.body_html = _reader_html(obj.body)
            obj.byline_slug = byline_slug(obj.byline)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs) -> int:
        if "byline" in fields:
            for obj in objs:
                obj.byline_slug = byline_slug(obj.byline)
            fields = [*fields, "byline_slug"] if "byline_slug" not in fields else fields
        if "body" not in fields:
            return super().bulk_update(objs, fields, *args, **kwargs)
        objs = list(objs)
        for obj in objs:
            obj.body = sanitize_html(obj.body)
            obj.body_html = _reader_html(obj.body)
        fields = [*fields, "body_html"] if "body_html" not in fields else fields
        token = _bodies_sanitized.set(True)  # update() then gets a CASE of clean values
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _bodies_sanitized.reset(token)


_bodies_sanitized: ContextVar[bool] = ContextVar("bodies_sanitized", default=False)


def byline_slug(byline: str) -> str:
    """The author page's slug; empty for a byline with no letters slugify keeps (e.g. 李明),
    which then prints without a link."""
    return slugify(byline)[:200]


def _reader_html(clean_body: str) -> str:
    """The reader's HTML for an already sanitized body (articles/body.py)."""
    used = library_ids(clean_body)
    return render_body(clean_body, Image.objects.in_bulk(used) if used else {})


def _safe_body(value):
    if isinstance(value, str):
        return sanitize_html(value)
    if _bodies_sanitized.get():
        return value
    # An expression (Concat, F, Replace...) is computed by the database, past nh3.
    raise TypeError("Article.body can only be updated to text, which is sanitized first.")


class Article(Tracked, LeadImageDisplay, models.Model):
    """A story: written here or republished from a source."""

    class CacheTags:  # serving/dependencies.py
        # The lists pages filter articles by (a source's page, a topic's, an author's).
        lists = ("source", "agency", "topics", "byline_slug")
        # Only published articles (scheduled ones included) are on any cached list.
        listed_when = ("status", {"published"})
        # Feed ingestion's and the admin's bookkeeping, never printed.
        bookkeeping = (
            "feed_hash",
            "feed_image_url",
            "feed_updated_at",
            "edited_in_admin",
            "updated_at",
            "guid",
            # Which library pictures the body uses: an index; readers see body_html.
            "body_images",
            # For editors: when the fetcher last replaced the body with the full text.
            "full_text_fetched_at",
        )

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "Ready for review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # A card prints these when a list sets them (search results: the matching passage
    # and the title with matches marked). Empty by default: a template reading a missing
    # attribute makes Django call dir() on the instance, 43 times per home page render.
    snippet = ""
    marked_title = ""
    # Set by a card hook (ARTICLE_CARD_HOOKS, the stories app's): the other reports of the
    # card's story, {"url", "sources", "reports"}, printed as "and N other sources".
    more_coverage = None

    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=250, unique=True, help_text="The article's address.")
    summary = models.TextField(
        blank=True, help_text="One or two sentences shown on cards and in search results."
    )
    body = models.TextField(
        blank=True,
        help_text="HTML. Scripts, styles and event handlers are removed when saved.",
    )
    # What readers get: the body with library pictures and link cards rendered
    # (articles/body.py), made on save.
    body_html = models.TextField(blank=True, editable=False)
    body_images = models.ManyToManyField(
        Image, through=BodyImage, blank=True, related_name="+", editable=False
    )
    image = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        verbose_name="lead image",
        help_text="From the image library: it is shown instead of an uploaded lead image.",
    )
    # An upload for this article alone, kept for feed imports; the library image wins.
    lead_image = models.ImageField(
        "uploaded lead image",
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
    first_published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the source first published this copy (imported articles).",
    )
    social_title = models.CharField(
        max_length=70, blank=True, help_text="For social media shares. Empty: the headline."
    )
    social_description = models.CharField(
        max_length=200, blank=True, help_text="For social media shares. Empty: the summary."
    )
    social_image = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="social_of",
        help_text="For social media shares. Empty: the lead image.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who published it after review (REQUIRE_REVIEW).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_enabled = models.BooleanField(default=True)
    vetted = models.BooleanField(
        "approved for stories",
        default=False,
        help_text="An editor vouches for this article although its source is new (not vetted): "
        "it may then lead its story, be its first report and give its key points.",
    )
    # Feed ingestion bookkeeping: what the entry looked like when it was last imported, and
    # whether an editor has since changed what the feed provides (then the feed no longer
    # overwrites the article).
    feed_hash = models.CharField(max_length=64, blank=True, editable=False)
    feed_image_url = models.URLField(max_length=500, blank=True, editable=False)
    feed_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_in_admin = models.BooleanField(default=False, editable=False)
    # Set when the body is the article text fetched from original_url (Source.fetch_full_text)
    # rather than what the feed carried; cleared when the feed's entry changes.
    full_text_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # With REQUIRE_REVIEW on, only holders of this permission move an article to
        # Published (articles/publishing.py); the others send it for review.
        permissions = [("publish_article", "Can publish articles")]
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
        images = self._render_body()
        reencode_upload(self.lead_image)
        if not self.slug:
            self.slug = unique_slug(self.title)
        self.byline_slug = byline_slug(self.byline)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        self._sync_body_images(set(images))

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """The admin's form gets a message, not a 500, for markup too deep to clean."""
        super().clean()
        try:
            check_markup(self.body or "")
        except MarkupTooComplex as exc:
            raise ValidationError({"body": f"This body cannot be saved: {exc}."}) from None

    def _render_body(self) -> dict:
        used = library_ids(self.body)
        images = Image.objects.in_bulk(used) if used else {}
        self.body_html = render_body(self.body, images)
        return images

    def refresh_body_html(self) -> None:
        """Render the body again (a library picture it shows has new renditions)."""
        self._render_body()
        Article.objects.filter(pk=self.pk).update(body_html=self.body_html)

    def _sync_body_images(self, ids: set[int]) -> None:
        current = set(BodyImage.objects.filter(article=self).values_list("image_id", flat=True))
        if current == ids:
            return
        BodyImage.objects.filter(article=self).exclude(image_id__in=ids).delete()
        BodyImage.objects.bulk_create([BodyImage(article=self, image_id=i) for i in ids - current])

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
    def share_title(self) -> str:
        """For social cards: the social title, else the headline."""
        return self.social_title or self.title

    @property
    def share_description(self) -> str:
        """For social cards: the social description, else the summary, else the headline."""
        return self.social_description or self.summary or self.title

    @property
    def is_house(self) -> bool:
        """Written here: its source is the site itself (Source.is_house)."""
        return self.source_id is not None and self.source.is_house

    @property
    def is_republished(self) -> bool:
        """Copy from elsewhere (an original address or a wire agency); never the house's."""
        return not self.is_house and bool(self.original_url or self.agency_id)

    @property
    def shows_first_published(self) -> bool:
        """An imported article published here later than its source first published it."""
        if self.is_house:
            return False
        first, ours = self.first_published_at, self.published_at
        return bool(first and ours and abs((ours - first).total_seconds()) >= 60)

    @property
    def description(self) -> str:
        """The page's meta description: the summary, else the title, cut at 200 characters
        (as |truncatechars:200, which cost a signed-in article page a tenth of a ms)."""
        text = self.summary or self.title
        return text if len(text) <= 200 else f"{text[:199].rstrip()}…"

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


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title that no other article uses."""
    base = slugify(title)[:230] or "article"
    slug, n = base, 2
    others = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class Correction(Tracked, models.Model):
    """A dated correction or update shown at the foot of the article."""

    class CacheTags:  # serving/dependencies.py
        lists = ("article",)

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text, shown as written.")
    published_at = models.DateTimeField(default=timezone.now)

    objects = TrackedQuerySet.as_manager()

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
