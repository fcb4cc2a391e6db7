"""The Following page, the follow button's endpoints, OPML, mail settings, unsubscribe.

Nothing here is cached whole: every page is one reader's. Follows travel in POST bodies
and the session, never in a URL a log would keep (the anonymous reader's intent is the
exception: the slug of a public page, in their own request, kept in their session).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import chain

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from articles.templatetags.article_tags import time_ago
from serving.dependencies import instance_tags
from serving.fragments import keep, kept, kept_values, key_of
from serving.links import fixed_url
from serving.sites import local_path
from serving.xmltext import xml_text

from . import selectors, services, targets, tokens
from .forms import MailSettingsForm
from .models import FollowLimitReached, ReaderSettings, settings_tag

INTENT = "following_intent"


def _next(request: HttpRequest, value: str | None) -> str:
    return local_path(request, value, reverse("following:page"))


def _follow(request: HttpRequest, target: targets.Target, done: str) -> None:
    """Follow, and say so; a reader at FOLLOWS_MAX is told why not, on the same page."""
    try:
        services.follow(user=request.user, target=target)
    except FollowLimitReached as limit:
        messages.error(request, limit.message)
    else:
        messages.success(request, done)


@require_POST
def toggle(request: HttpRequest) -> HttpResponse:
    """The follow button: follow or unfollow, then back to the page it was pressed on."""
    kind, slug = request.POST.get("kind", ""), request.POST.get("slug", "")
    target = targets.find(kind, slug)
    if (
        target is None
        and request.user.is_authenticated
        and request.POST.get("action") == "unfollow"
    ):
        # A follow whose thing no page names any more (an author whose last article was
        # withdrawn): still on the reader's list, so still theirs to drop.
        target = targets.followed(request.user, kind, slug)
    if target is None:
        return HttpResponseBadRequest("Nothing to follow there.")
    back = _next(request, request.POST.get("next"))
    if not request.user.is_authenticated:
        request.session[INTENT] = {"kind": target.kind, "slug": target.slug, "next": back}
        return redirect_to_login(reverse("following:resume"))
    if request.POST.get("action") == "unfollow":
        services.unfollow(user=request.user, target=target)
        messages.success(request, f"You no longer follow {target.name}.")
    else:
        _follow(request, target, f"You follow {target.name}. See it on your Following page.")
    return redirect(back)


@csrf_exempt  # changes no account: it only remembers, in this visitor's session, a wish
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """An anonymous reader pressed Follow: a form without a token, so the cached page
    stays the same for everyone, and a POST, so what they follow is in no URL or access
    log. Keep it in their session, sign in, then `resume` does it."""
    target = targets.find(request.POST.get("kind", ""), request.POST.get("slug", ""))
    if target is None:
        raise Http404("Nothing to follow there.")
    back = _next(request, request.POST.get("next"))
    if request.user.is_authenticated or not _same_origin(request):
        # Signed in: the page shows them the real button now. Another site's form: the
        # browser withheld the Lax session cookie, so writing the session here would
        # replace (sign out) a reader's and plant that site's follow for `resume`.
        return redirect(back)
    request.session[INTENT] = {"kind": target.kind, "slug": target.slug, "next": back}
    return redirect_to_login(reverse("following:resume"))


def _same_origin(request: HttpRequest) -> bool:
    """No Origin header (an old browser), or this site's (the check CSRF makes, for a
    view that cannot take a token)."""
    origin = request.headers.get("Origin")
    own = request.build_absolute_uri("/").rstrip("/")
    return origin is None or origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


@login_required
@require_safe
def resume(request: HttpRequest) -> HttpResponse:
    """After signing in: do the follow the reader asked for before, then go back.

    A GET that writes, but only what this reader's own session asked for before they
    signed in (a link from elsewhere finds no intent and does nothing)."""
    intent = request.session.pop(INTENT, None)
    if not isinstance(intent, dict):
        return redirect("following:page")
    target = targets.find(intent.get("kind", ""), intent.get("slug", ""))
    if target is not None:
        _follow(request, target, f"You follow {target.name}.")
    return redirect(_next(request, intent.get("next")))


def _cursor(value: str | None) -> tuple[datetime, int] | None:
    if not value or len(value) > 60 or "_" not in value:
        return None
    at, _, story_id = value.rpartition("_")
    try:
        return datetime.fromtimestamp(int(at) / 1e6, tz=UTC), int(story_id)
    except (ValueError, OverflowError, OSError):
        return None


def cursor_of(row: dict) -> str:
    return f"{int(row['latest'].timestamp() * 1e6)}_{row['story_id']}"


CARD = "following/includes/story_card.html"


def _stories_of(user, before: tuple[datetime, int] | None) -> tuple[list[tuple], str, dict]:
    """A page of the reader's stories, newest first: (story id, its newest followed
    report's time, its lead's publication time, the first as printed) rows and the next
    page's cursor. Kept per reader and cursor with what it read and the version of the
    reader's follows, so a visit while nothing they follow changed reads no SQL for it.
    The stories when it was just built (their cards may need rendering), else {}."""
    built: dict = {}

    def build() -> tuple[list[tuple], str]:
        rows, more = selectors.story_page(services.follows_query(user), before=before)
        built.update(selectors.stories_by_id([r["story_id"] for r in rows]))
        page = [
            (
                r["story_id"],
                r["latest"],
                built[r["story_id"]].lead.published_at,
                # The latest report's time as the template prints it, formatted once
                # here rather than on every visit (the `date` filter over twenty cards
                # cost a quarter of the view, then strftime a tenth).
                timezone.localtime(r["latest"]).strftime("%Y-%m-%dT%H:%M:%S%z"),
            )
            for r in rows
            if r["story_id"] in built
        ]
        return page, cursor_of(rows[-1]) if more else ""

    # v2: rows carry the formatted time (v1's three-item rows are never read back).
    key = key_of("following_page:v2", user.pk, *(before or ()))
    page, next_cursor = kept(key, build, shown=[services.follows_tag(user.pk)])
    return page, next_cursor, built


def _cards(request: HttpRequest, page: list[tuple], built: dict, now: datetime) -> dict[int, str]:
    """The page's cards (story id -> HTML), the same for every reader shown these stories
    at these relative times: kept together under them, with every card's tags, so a
    repeat visit reads one entry, not twenty (their reads and version checks were a
    twentieth of the page's CPU). Built from each story's own card (`_story_cards`)."""
    agos = [(row[0], time_ago(row[2], now)) for row in page]
    return kept(
        key_of("following_cards", *chain.from_iterable(agos)),
        lambda: _story_cards(request, agos, built),
    )


def _story_cards(request: HttpRequest, agos: list[tuple], built: dict) -> dict[int, str]:
    """Each story's card, shared by every page that shows it: kept with what it read,
    under its lead's relative time (the card prints it); read in one round trip, the
    missing ones rendered from their stories (one query, unless just read)."""
    keys = {story_id: key_of("following_card", story_id, ago) for story_id, ago in agos}
    found = kept_values(keys.values())
    missing = [story_id for story_id, key in keys.items() if key not in found]
    stories = built or (selectors.stories_by_id(missing) if missing else {})
    for story_id in missing:
        story = stories.get(story_id)
        if story is not None:
            found[keys[story_id]] = keep(
                keys[story_id],
                lambda story=story: render_to_string(CARD, {"story": story}, request),
                shown=instance_tags(story),
            )
    return {story_id: found[key] for story_id, key in keys.items() if key in found}


def _reader(user) -> tuple[datetime | None, bool] | None:
    """The reader's last visit and whether they take the briefing, or None (no settings:
    they never followed anything). Kept per reader until their settings row is written
    (`settings_tag`: every write bumps it), so a repeat visit reads no SQL for it."""

    def build() -> tuple[datetime | None, bool] | None:
        # A row, no model instance.
        return ReaderSettings.objects.filter(pk=user.pk).values_list("seen_at", "briefing").first()

    return kept(key_of("following_reader", user.pk), build, shown=[settings_tag(user.pk)])


def _links() -> dict[str, str]:
    """The page's own links and stylesheet: three `{% url %}` tags and a `{% static %}`
    cost the page a fifth of its CPU above the signed-in floor (docs/benchmarks.md);
    fixed addresses are reversed once per process (serving/links.py) and static URLs kept
    by the storage (serving/static.py)."""
    profile = fixed_url("accounts:profile_edit")
    return {
        "manage": f"{profile}#following",
        "mail": f"{profile}#following-mail",
        "opml": fixed_url("following:opml"),
        "css": static("css/following.css"),
    }


@login_required
@require_safe
def following_page(request: HttpRequest) -> HttpResponse:
    """Stories with a new report from anything the reader follows, newest first, one
    card per story; those after the last visit are marked new. One query when the
    reader's settings, the page and its cards are kept and nothing is new (the session
    with its user, accounts/sessions.py), five at most (the settings, the page of
    stories, their cards, the visit's time)."""
    user = request.user
    reader = _reader(user)
    seen_at = reader[0] if reader else None
    before = _cursor(request.GET.get("before"))
    page, next_cursor, built = _stories_of(user, before)
    now = timezone.now()  # one clock for every relative time on the page
    html = _cards(request, page, built, now)
    cards = [
        {
            "html": html[story_id],
            "new": seen_at is None or latest > seen_at,
            "at": at,
            "ago": time_ago(latest, now),
        }
        for story_id, latest, _, at in page
        if story_id in html
    ]
    # The visit moves what the next one marks new only when this one shows something new
    # (else no story is newer than `seen_at`, and none on a later page): no write per visit.
    if before is None and reader is not None and (seen_at is None or any(c["new"] for c in cards)):
        services.mark_seen(user=user, at=timezone.now())
    context = {
        "cards": cards,
        "has_follows": reader is not None,
        # Offered once they follow something (off by default).
        "offer_briefing": reader is not None and not reader[1],
        "next_cursor": next_cursor,
        "first_page": before is None,
        "links": _links(),
    }
    return render(request, "following/page.html", context)


@login_required
@require_safe
def opml(request: HttpRequest) -> HttpResponse:
    """What the reader follows as an OPML list of feeds, for any feed reader."""
    items = [
        # A control character pasted into a name in the admin made the file one no feed
        # reader would open (XML 1.0 cannot hold it, escaped or not).
        replace(target, name=xml_text(target.name))
        for target in map(targets.of_follow, selectors.follows_of(request.user))
    ]
    body = render_to_string(
        "following/following.opml",
        {"items": items, "site_url": request.build_absolute_uri("/").rstrip("/"),
         "created": timezone.now()},
    )  # fmt: skip
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="following.opml"'
    return response


@login_required
@require_POST
def mail_settings(request: HttpRequest) -> HttpResponse:
    """The briefing and story-update choices from the profile page."""
    form = MailSettingsForm(request.POST)
    if form.is_valid():
        services.update_mail_settings(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email choices are saved.")
        return redirect(reverse("accounts:profile_edit") + "#following-mail")
    return render(request, "following/settings_invalid.html", {"form": form}, status=400)


@csrf_exempt  # the signed token is the credential: mail clients POST it without cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop the briefing or story updates without signing in.

    POST (RFC 8058's one-click, or the page's button) turns it off at once. GET, the
    footer's link, shows a form that a small script submits by itself: mail scanners
    that open every link never run it, so they unsubscribe nobody."""
    found = tokens.read(token)
    user = None
    if found is not None:
        user = User.objects.filter(pk=found[0], is_active=True, is_deleted=False).first()
    if user is None:
        return render(request, "following/unsubscribe.html", {"invalid": True}, status=404)
    what = found[1]
    done = request.method == "POST"
    if done:
        services.stop_mail(user=user, what=what)
    return render(request, "following/unsubscribe.html", {"what": what, "done": done})
