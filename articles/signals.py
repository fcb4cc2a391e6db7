"""Derived data kept up to date on writes: the page cache's dependency tags.

Connected in `ArticlesConfig.ready()`. Each write bumps only the tags of what it changes
(serving.cache.bump_tags: at once, again on commit, then purged from HTTP caches):

- an article: its own page, its source's and agency's lists (and those it was filed
  under before the save), its topics', and every list of
  articles (home, latest feeds, sitemaps, search, the related-cards fragment):
  `article:<id>`, `list:source:<id>`, `topic:<id>`, `list:articles`; and when it stops being
  public (withdrawn, unpublished, deleted) `list:withdrawn`, which every article page
  carries, so no page keeps a related card linking to it;
- a correction: its article's page (`article:<id>`);
- a promo: `promo` (the article banner and the footer's app block);
- a source or a topic: its own pages, and `site` (names in the navigation, the search
  form, cards and article pages). Saves that touch none of their content fields (fetch
  bookkeeping lives in ingest.FeedState, which bumps nothing) change nothing.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

from serving.cache import bump_tags

articles_went_live = Signal()
"""Scheduled articles went live (their published_at passed) without a save of theirs.

Sent by `articles.scheduling.refresh_pages_gone_live` once per scheduler tick in which at
least one article went live, after their page tags were bumped, with the keyword argument
`article_ids` (list[int]). Receivers run inside the tick's transaction and must stay
cheap: enqueue work on commit (stories refreshes the stories of these articles), never
raise. Other apps connect to it; `articles` never imports them.
"""


def article_tags(article) -> list[str]:
    # The lists of its source and agency, not `source:<id>`: that one is the source's
    # name, on every page and card of its articles, which this article does not change.
    tags = [f"article:{article.pk}", "list:articles", f"list:source:{article.source_id}"]
    if article.agency_id:
        tags.append(f"list:source:{article.agency_id}")
    return tags


def articles_changed(article_ids) -> None:
    """Pages of these articles changed without a save of theirs (a scheduled article went
    live, a lead image's renditions are ready): their tags, their sources' and topics',
    and the lists (two queries)."""
    from .models import Article

    ids = list(article_ids)
    if not ids:
        return
    tags = {"list:articles"}
    for pk, source_id, agency_id in Article.objects.filter(pk__in=ids).values_list(
        "pk", "source_id", "agency_id"
    ):
        tags |= {f"article:{pk}", f"list:source:{source_id}"}
        if agency_id:
            tags.add(f"list:source:{agency_id}")
    topics = Article.topics.through.objects.filter(article_id__in=ids).values_list("topic_id")
    tags |= {f"topic:{pk}" for (pk,) in topics}
    bump_tags(tags)


def _is_public(status: str, published_at) -> bool:
    # Article.is_visible, for the values stored before this save.
    return status == "published" and published_at is not None and published_at <= timezone.now()


def article_saving(sender, instance, raw: bool = False, **kwargs) -> None:
    """Whether the article was public before this save, and the sources it was filed under
    (one query, updates only): a source's page that listed it must drop it."""
    before = None
    if not raw and instance.pk is not None:
        before = sender.objects.filter(pk=instance.pk).values_list(
            "status", "published_at", "source_id", "agency_id"
        )
        before = before.first()
    instance._was_public = bool(before) and _is_public(*before[:2])
    instance._sources_before = {pk for pk in before[2:] if pk} if before else set()


def article_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata
        return
    # A new article has no topics yet: adding them bumps theirs (article_topics_changed).
    topics = [] if created else instance.topics.values_list("pk", flat=True)
    tags = [*article_tags(instance), *(f"topic:{pk}" for pk in topics)]
    tags += [f"list:source:{pk}" for pk in getattr(instance, "_sources_before", ())]
    if getattr(instance, "_was_public", False) and not instance.is_visible:
        tags.append("list:withdrawn")
    bump_tags(tags)


def article_deleted(sender, instance, **kwargs) -> None:
    # pre_delete: the article's topic links are still there to be read.
    topics = instance.topics.values_list("pk", flat=True)
    tags = [*article_tags(instance), *(f"topic:{pk}" for pk in topics)]
    if instance.is_visible:
        tags.append("list:withdrawn")
    bump_tags(tags)


def article_topics_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # topic.articles.add(...): the instance is the topic
        topics = [instance.pk]
        articles = list(pk_set or instance.articles.values_list("pk", flat=True))
    else:
        articles = [instance.pk]
        topics = list(pk_set or instance.topics.values_list("pk", flat=True))
    bump_tags(
        [
            "list:articles",
            *(f"article:{pk}" for pk in articles),
            *(f"topic:{pk}" for pk in topics),
        ]
    )


def correction_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        bump_tags([f"article:{instance.article_id}"])


def promo_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        bump_tags(["promo"])


def _content_saved(instance, update_fields) -> bool:
    """False for a save that only wrote fields readers never see."""
    if update_fields is None:
        return True
    shown = {f.name for f in instance._meta.concrete_fields} - {"updated_at"}
    return bool(shown & set(update_fields))


def source_changed(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if not raw and _content_saved(instance, update_fields):
        bump_tags([f"source:{instance.pk}", "site"])


def topic_changed(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if not raw and _content_saved(instance, update_fields):
        bump_tags([f"topic:{instance.pk}", "site"])


def connect() -> None:
    from .models import Article, Correction, Image, Pin, Promo, Source, Topic

    pre_save.connect(article_saving, sender=Article, dispatch_uid="pages-article-saving")
    post_save.connect(article_saved, sender=Article, dispatch_uid="pages-article-save")
    pre_delete.connect(article_deleted, sender=Article, dispatch_uid="pages-article-delete")
    post_save.connect(pin_changed, sender=Pin, dispatch_uid="pages-pin-save")
    post_delete.connect(pin_changed, sender=Pin, dispatch_uid="pages-pin-delete")
    post_save.connect(image_changed, sender=Image, dispatch_uid="pages-image-save")
    m2m_changed.connect(
        article_topics_changed, sender=Article.topics.through, dispatch_uid="pages-article-topics"
    )
    for model, receiver in (
        (Correction, correction_changed),
        (Promo, promo_changed),
        (Source, source_changed),
        (Topic, topic_changed),
    ):
        uid = f"pages-{model._meta.model_name}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")


def pin_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A pin decides the home page's lead or a topic's top: those lists change."""
    if not raw:
        tags = ["list:articles", f"article:{instance.article_id}"]
        if instance.topic_id:
            tags.append(f"topic:{instance.topic_id}")
        bump_tags(tags)


def image_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """A library picture's words or renditions changed: the articles showing it did too."""
    if raw:
        return
    from django.db.models import Q

    from .models import Article, BodyImage

    ids = set(
        Article.objects.filter(Q(image=instance) | Q(social_image=instance)).values_list(
            "pk", flat=True
        )
    )
    ids |= set(BodyImage.objects.filter(image=instance).values_list("article_id", flat=True))
    if ids:
        articles_changed(ids)
