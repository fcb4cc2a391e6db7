"""Stories: the same event told by several sources, with the evidence for each grouping.

An article belongs to at most one story (StoryMembership, OneToOne). Matching reads only
the indexed tables here (ArticleFingerprint, LshBand), never scans the article table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from articles.models import Article
from serving.dependencies import Tracked, TrackedQuerySet


class Story(Tracked, models.Model):
    """One event, reported by one or more articles."""

    class CacheTags:  # serving/dependencies.py
        pass

    slug = models.SlugField(max_length=100, unique=True)
    lead = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The article whose headline the story page shows.",
    )
    lead_pinned = models.BooleanField(
        "lead chosen by an editor",
        default=False,
        help_text="Keep this lead even when an earlier report joins the story.",
    )
    published_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="How many of its articles readers can see."
    )
    source_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="How many sources those articles come from."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.lead.title if self.lead_id and self.lead else self.slug

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"slug": self.slug})


class StoryMembership(Tracked, models.Model):
    """Why an article is in its story; `locked` when an editor decided it."""

    class CacheTags:  # serving/dependencies.py
        lists = ("story", "article")
        # Why an article joined, for editors.
        bookkeeping = ("reason", "evidence", "locked", "joined_at")

    class Reason(models.TextChoices):
        FIRST = "first", "First report of a new story"
        DUPLICATE = "duplicate", "Near-duplicate text (MinHash)"
        SIMILAR = "similar", "Same event in other words (TF-IDF and embeddings)"
        SPLIT = "split", "Split out by an editor"
        MERGED = "merged", "Merged by an editor"

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="story_membership"
    )
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    evidence = models.JSONField(
        default=dict,
        blank=True,
        help_text="The measurements behind the grouping: matched article, scores, shared words.",
    )
    locked = models.BooleanField(
        default=False, help_text="Set by an editor's decision: recomputation leaves it alone."
    )
    joined_at = models.DateTimeField(auto_now=True)

    objects = TrackedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["story", "article"], name="story_member_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} in {self.story_id} ({self.reason})"

    def explanation(self) -> str:
        """The evidence in one sentence for editors."""
        e = self.evidence or {}
        if self.reason == self.Reason.DUPLICATE:
            return (
                f"Text nearly identical to article {e.get('matched')} "
                f"(MinHash Jaccard {e.get('jaccard', 0):.2f})."
            )
        if self.reason == self.Reason.SIMILAR:
            shared = ", ".join(e.get("shared_terms", []))
            if "probability" not in e:  # grouped before the blend (TF-IDF bar only)
                return (
                    f"Title and lead close to the story's (TF-IDF cosine "
                    f"{e.get('cosine', 0):.2f}, needed {e.get('needed', 0):.2f} at "
                    f"{e.get('hours_apart', 0)} h apart); shared words: {shared}."
                )
            terms = ", ".join(f"{k} {v:+.2f}" for k, v in e.get("logit_terms", {}).items())
            return (
                f"Same event as article {e.get('matched')} with probability "
                f"{e['probability']:.2f} (needed {e.get('needed', 0):.2f}), mean over its "
                f"{e.get('story_articles', 1)} articles {e.get('story_mean', 0):.2f} (needed "
                f"{e.get('mean_needed', 0):.2f}): TF-IDF cosine {e.get('cosine', 0):.2f}, "
                f"embedding cosine {e.get('embedding', 0):.2f}, without names "
                f"{e.get('what', 0):.2f}, names and numbers {e.get('names', 0):.2f}, "
                f"{e.get('hours_apart', 0)} h apart (logit: {terms}); shared words: {shared}."
            )
        return self.get_reason_display() + "."


class ArticleFingerprint(models.Model):
    """An article's matching features, so candidate lookup never reads the article table."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    published_at = models.DateTimeField(db_index=True)
    dup_signature = models.BinaryField(help_text="MinHash of the text's word 3-grams.")
    terms = models.TextField(help_text="Content words of title and lead, for TF-IDF.")
    names = models.TextField(
        blank=True, default="", help_text="Names and numbers of title and lead (text.py)."
    )
    embedding = models.BinaryField(
        default=b"",
        blank=True,
        help_text="Static word embedding of title and lead (float16): stories/embeddings.py.",
    )
    quantities = models.TextField(
        blank=True, default="", help_text='Numbers with what they count ("11|fishermen"): text.py.'
    )
    title_terms = models.TextField(blank=True, default="", help_text="Content words of the title.")
    title_args = models.TextField(
        blank=True, default="", help_text="The title's subject and first acts (text.py)."
    )
    title_embeddings = models.BinaryField(
        default=b"",
        blank=True,
        help_text="Embeddings of the title's words, all and less names (float16, two).",
    )
    text_hash = models.CharField(max_length=32, help_text="Unchanged text: nothing to redo.")

    def __str__(self) -> str:
        return f"Fingerprint of {self.article_id}"


class LshBand(models.Model):
    """One LSH band key of an article: articles sharing a key are candidates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    published_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "published_at"], name="lsh_key_time_idx")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.article_id}"


class KeyPointQuerySet(TrackedQuerySet):
    def shown(self) -> KeyPointQuerySet:
        return self.filter(hidden=False).order_by("position", "id")


class KeyPoint(Tracked, models.Model):
    """A sentence quoted verbatim from an article: a key point of that article or a story."""

    class CacheTags:  # serving/dependencies.py
        lists = ("article", "story")
        bookkeeping = ("edited_by_editor", "edited_by")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="key_points"
    )
    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, null=True, blank=True, related_name="key_points"
    )
    source_article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The article the sentence is quoted from.",
    )
    sentence = models.TextField(help_text="The sentence exactly as the article has it.")
    position = models.PositiveSmallIntegerField(default=0)
    also_reported_by = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Ids of the story's other articles that said nearly the same (token Jaccard"
        " >= 0.6); the sentence quoted is the earliest.",
    )
    edited_text = models.TextField(
        blank=True, help_text="Shown instead of the sentence when filled in."
    )
    hidden = models.BooleanField(default=False, help_text="Not shown to readers.")
    edited_by_editor = models.BooleanField(
        default=False, editable=False, help_text="Kept as it is when key points are recomputed."
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = KeyPointQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, story__isnull=True)
                | Q(article__isnull=True, story__isnull=False),
                name="keypoint_article_xor_story",
            )
        ]
        indexes = [models.Index(fields=["article", "position"], name="keypoint_article_idx")]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def text(self) -> str:
        return self.edited_text or self.sentence


class RecomputeCheckpoint(models.Model):
    """How far `recompute_stories` got, so an interrupted run resumes there."""

    name = models.CharField(max_length=40, unique=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    last_article_id = models.BigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.done} done"
