"""Reader pages: home, article, source, topic and author.

What a cached page depends on is recorded while it renders, from the rows and lists it
reads (serving/dependencies.py): views declare no tags."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from serving.cache import cache_for_anonymous
from serving.dependencies import loosely
from serving.fragments import kept, key_of

from . import selectors
from .models import Article, Source, Topic

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    # get_page() turns a bad or out-of-range ?page= into a real page, never a 500.
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@require_safe
@cache_for_anonymous(query=["page"])
def home(request: HttpRequest) -> HttpResponse:
    """Each story once (issue 31): Latest shows a story by its newest report, the lead and
    the topic sections by the story's lead report; the sections skip the stories above.

    Which articles the page shows follows article lists, stories and pins: it is kept
    with what it read (serving.fragments.kept), so a render after a change elsewhere on
    the page does not choose them again (two thirds of a render's time). The cards'
    comment counts are slots (serving/slots.py): a comment approved on one of its cards
    fills the stored page again, the page is not rendered again."""
    raw = request.GET.get("page", "")
    listing = kept(key_of("articles:home", raw), lambda: _home_listing(request))
    paginator = Paginator((), PAGE_SIZE)
    paginator.count = listing.count  # counted when the listing was made
    page = Page(listing.cards_of_page, listing.number, paginator)
    lead, cards, sections = listing.lead, listing.cards, listing.sections
    listed = [lead, *cards, *(a for _, group in sections for a in group)]
    selectors.decorate_cards(listed)
    return render(
        request,
        "articles/home.html",
        {"lead": lead, "cards": cards, "page_obj": page, "sections": sections},
    )


@dataclass
class HomeListing:
    """The home page's articles, chosen (cards not yet decorated)."""

    count: int
    number: int
    cards_of_page: list[Article]
    lead: Article | None
    cards: list[Article]
    sections: list[tuple[Topic, list[Article]]]


def _home_listing(request: HttpRequest) -> HomeListing:
    latest = selectors.one_per_story(Article.objects.published().for_cards(), prefer="latest")
    page = _page(request, latest)
    lead = None
    of_page = list(page.object_list)
    cards = of_page
    sections = []
    if page.number == 1:
        lead = selectors.pinned_lead()
        if lead is not None:
            replaced = selectors.story_card_of(lead)
        else:
            lead, replaced = selectors.home_lead(cards)
        cards = [a for a in cards if a.pk not in (replaced, getattr(lead, "pk", None))]
        shown = [a.pk for a in of_page] + ([lead.pk] if lead else [])
        sections = selectors.topic_sections(list(selectors.navigation_topics()), exclude=shown)
    return HomeListing(
        count=page.paginator.count,
        number=page.number,
        cards_of_page=of_page,
        lead=lead,
        cards=cards,
        sections=sections,
    )


@require_safe
# `order` and `cpage`: the comment thread's order and page (comments_section).
@cache_for_anonymous(query=["order", "cpage"])
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_article(request, slug)


def render_article(
    request: HttpRequest, slug: str, *, status: int = 200, extra_context: dict | None = None
) -> HttpResponse:
    """The article page, uncached: also the answer to a refused comment (with its text).

    `extra_context` is passed to the template, and so to the page's sections
    (ARTICLE_PAGE_SECTIONS), untouched: the comments app hands a refused comment back this
    way."""
    article = selectors.article_by_slug(slug)
    if article is None:
        raise Http404("No article found.")
    preview = False
    if not article.is_visible:
        # Drafts, scheduled and withdrawn articles are a plain 404 to readers; editors
        # may preview them at the same address.
        if not request.user.has_perm("articles.view_article"):
            raise Http404("No article found.")
        preview = True
    # Lazy: the template keeps the article, promo and related parts as fragments with what
    # they read (serving/templatetags/fragments.py), so a signed-in reader's page skips
    # these queries.
    topics = SimpleLazyObject(lambda: list(article.topics.all()))
    context = {
        "article": article,
        "topics": topics,
        "corrections": SimpleLazyObject(
            lambda: list(article.corrections.order_by("-published_at", "-id"))
        ),
        "preview": preview,
        "related": SimpleLazyObject(lambda: _related(article, topics)),
        "promo": SimpleLazyObject(selectors.article_promo),
        **(extra_context or {}),
    }
    # Conditional GET comes from ConditionalGetMiddleware's content ETag, not from a
    # Last-Modified: comments, corrections and related cards change without the article.
    return render(request, "articles/article_detail.html", context, status=status)


def _related(article: Article, topics) -> list[Article]:
    """The related cards follow what they show (a card retitled or withdrawn), not every
    publish that could now be picked: that would re-render every article page on each
    one. A new article reaches them within PAGE_CACHE_TIMEOUT (docs/serving.md).

    The choice is kept (`kept`), as the home page's listing is: ranking by meaning took
    20-100 ms. The cards' comment counts are slots filled with the page's
    (serving/slots.py), so an approval on a related article only fills the page again."""
    with loosely():
        related = kept(
            key_of("articles:related", article.pk),
            lambda: selectors.chosen_related(article, [t.pk for t in topics]),
        )
        selectors.decorate_cards(related)
    return related


@require_safe
@cache_for_anonymous(query=["page"])
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    # An agency's page lists its wire copy carried by other sources too.
    articles = Article.objects.published().for_cards().filter(Q(source=source) | Q(agency=source))
    page = _page(request, articles)
    selectors.decorate_cards(page.object_list)
    return render(request, "articles/source_detail.html", {"source": source, "page_obj": page})


@require_safe
@cache_for_anonymous(query=["page"])
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    pinned = selectors.topic_pins(topic) if request.GET.get("page", "1") == "1" else []
    # Each story once, by its lead report when the topic has it; none of the pinned ones'.
    articles = selectors.one_per_story(
        Article.objects.published().for_cards().filter(topics=topic),
        exclude_with=[a.pk for a in pinned],
    )
    page = _page(request, articles)
    selectors.decorate_cards([*pinned, *page.object_list])
    return render(
        request,
        "articles/topic_detail.html",
        {"topic": topic, "page_obj": page, "pinned": pinned},
    )


@require_safe
@cache_for_anonymous(query=["page"])
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published article under one byline, newest first (bylines are plain text,
    so the author is who the byline names)."""
    articles = Article.objects.published().for_cards().filter(byline_slug=slug)
    page = _page(request, articles)
    if not page.object_list:
        raise Http404("No articles under this byline.")
    selectors.decorate_cards(page.object_list)
    author = page.object_list[0].byline
    context = {"author": author, "author_slug": slug, "page_obj": page}
    return render(request, "articles/author_detail.html", context)


STATIC_PAGES = {"about", "contact", "privacy"}


def static_page(request: HttpRequest, page: str) -> HttpResponse:
    if page not in STATIC_PAGES:
        raise Http404("No such page.")
    return render(request, f"pages/{page}.html")
