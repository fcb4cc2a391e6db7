"""The newsroom's own settings: feeds, comments, the API, stories, the editor, and the hooks
between apps (docs/architecture.md)."""

from django.templatetags.static import static
from django.utils.functional import lazy
from django_prose_editor.config import html_tags

from .core import SITE_URL
from .env import env_bool, env_float, env_int, env_list, env_str

# Feed ingestion (docs/ingestion.md). Feeds and lead images are fetched with these limits;
# addresses on private, loopback and link-local networks are refused unless allowed.
FEED_MAX_BYTES = env_int("FEED_MAX_BYTES", 5 * 1024 * 1024)
FEED_TIMEOUT = env_float("FEED_TIMEOUT", 10.0)  # per connect or read
# Wall clock for one whole fetch (connect, redirects, headers, body; unset: 3 x
# FEED_TIMEOUT), and for everything one source's import may spend fetching, the feed and
# its images (unset: 6 x FEED_TIMEOUT).
FEED_DEADLINE = env_float("FEED_DEADLINE")
FEED_SOURCE_BUDGET = env_float("FEED_SOURCE_BUDGET")
# An entry whose cleaning takes longer than this is left out (with a note on the source).
FEED_ENTRY_BUDGET = env_float("FEED_ENTRY_BUDGET", 2.0)
FEED_MAX_REDIRECTS = 5
FEED_ALLOW_PRIVATE_HOSTS = env_bool("FEED_ALLOW_PRIVATE_HOSTS", False)
# Each feed is polled on its own schedule (ingest/scheduling.py): about as often as it
# publishes, never more often than FEED_MIN_INTERVAL or less than FEED_MAX_INTERVAL
# (seconds), later when the server asks (Cache-Control max-age, Retry-After) or fails.
FEED_MIN_INTERVAL = env_int("FEED_MIN_INTERVAL", 5 * 60)
FEED_MAX_INTERVAL = env_int("FEED_MAX_INTERVAL", 24 * 3600)
# Polls one tick enqueues at most; the rest wait for the next tick. 100 keeps a tick that
# finds every feed due under 50 ms (docs/ingestion.md), as Miniflux's BATCH_SIZE (100): a
# fresh install with 1,000 feeds has them all queued after 10 ticks (50 s).
FEED_POLLS_PER_TICK = env_int("FEED_POLLS_PER_TICK", 100)
# The demo feed the site serves itself (demo/views.py), on for `make run` and `make dev`:
# its exact address is the one private address a feed may use while
# FEED_ALLOW_PRIVATE_HOSTS is off.
DEMO_FEED = env_bool("DEMO_FEED", False)
DEMO_FEED_URL = f"{SITE_URL}/demo/feed.xml"
FEED_PRIVATE_URL_EXCEPTIONS: list[str] = [DEMO_FEED_URL] if DEMO_FEED else []

# Full text of summary-only feeds: Source.fetch_full_text makes the worker fetch each new
# entry's page (ingest/fulltext.py) with the feeds' SSRF guards, timeouts and redirect
# limit, and these.
FULLTEXT_MAX_BYTES = env_int("FULLTEXT_MAX_BYTES", 2 * 1024 * 1024)  # largest page read
# Seconds between the end of one request to a host and the start of the next, shared by
# every worker (ingest/hosts.py); one request at a time per host.
FULLTEXT_DELAY = env_float("FULLTEXT_DELAY", 1.0)
FULLTEXT_MIN_WORDS = env_int("FULLTEXT_MIN_WORDS", 60)  # fewer: the summary is kept
FULLTEXT_ROBOTS_TTL = env_int("FULLTEXT_ROBOTS_TTL", 24 * 3600)  # robots.txt kept per host
# Wall clock for one full-text task; articles not reached go to a follow-up task.
FULLTEXT_TASK_BUDGET = env_float("FULLTEXT_TASK_BUDGET", 300.0)
# The demo's summary-only newspaper (demo/fulltext.py, on with DEMO_FEED): its feed, its
# article pages and the site's robots.txt are the only other private addresses allowed.
DEMO_GAZETTE_URL = f"{SITE_URL}/demo/gazette.xml"
if DEMO_FEED:
    from demo.fulltext import GAZETTE_ARTICLES  # plain data, no models

    FEED_PRIVATE_URL_EXCEPTIONS += [
        DEMO_GAZETTE_URL,
        f"{SITE_URL}/robots.txt",
        *(f"{SITE_URL}/demo/gazette/{article[0]}/" for article in GAZETTE_ARTICLES),
    ]

# Dotted paths of callables (request, profile_user) -> dict adding to the public profile
# page's context (the comments app lists the reader's comments this way).
ACCOUNTS_PROFILE_SECTIONS: list[str] = ["comments.sections.profile_section"]
# The reader's own settings page (accounts:profile_edit): callables (request, user) -> HTML
# printed under the profile form (what the reader follows, their briefing choices).
ACCOUNTS_SETTINGS_SECTIONS: list[str] = ["following.sections.settings_section"]
# Account deletion and the data export reach the apps that keep a reader's data:
# callables (user) -> None, run inside the deletion's transaction, and (user) -> dict,
# merged into the export under the app's name.
ACCOUNTS_DELETION_HOOKS: list[str] = ["following.services.forget_reader"]
ACCOUNTS_EXPORT_HOOKS: dict[str, str] = {"following": "following.services.export_reader"}
# What other apps add to article cards, one query each for a whole list (articles/selectors.py).
ARTICLE_CARD_HOOKS: list[str] = [
    "comments.selectors.mark_count_slots",  # the comment count, a slot (PAGE_SLOTS)
    "stories.lists.attach_coverage",  # "and N other sources"
]
# What fills each `{% page_slot name key %}` once a page has rendered (serving/slots.py): a
# card's comment count, so a comment approved changes the pages listing its article by
# a fill, not a render.
PAGE_SLOTS: dict[str, str] = {"comment-count": "comments.selectors.comment_count_slots"}
# Lists show each story once (articles.selectors.one_per_story); empty: each article.
ARTICLE_LIST_HOOK = "stories.lists.one_per_story"
# What other apps print under an article: callables (context, article) -> HTML.
ARTICLE_PAGE_SECTIONS: list[str] = ["comments.sections.article_section"]
# The page cache asks the content app when something next changes by itself (a scheduled
# article goes live, a promo starts or ends): a function returning a datetime or None.
PAGE_CACHE_NEXT_CHANGE = "articles.selectors.next_scheduled_change"


# Comments (see docs/comments.md). Limits are settings so a busy site can tune them.
COMMENTS_MIN_LENGTH = env_int("COMMENTS_MIN_LENGTH", 2)
COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 3000)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
COMMENTS_PREMODERATE = env_bool("COMMENTS_PREMODERATE", True)
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)  # 0: never close by age
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)
COMMENTS_DUPLICATE_HOURS = env_int("COMMENTS_DUPLICATE_HOURS", 24)
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)  # this many links or more: held
COMMENTS_TRUSTED_AFTER = env_int("COMMENTS_TRUSTED_AFTER", 2)  # approved comments needed
COMMENTS_HISTORY_DAYS = env_int("COMMENTS_HISTORY_DAYS", 30)  # rejections this recent count
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 15)
COMMENTS_REPORT_THRESHOLD = env_int("COMMENTS_REPORT_THRESHOLD", 3)
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 30)
COMMENTS_BLOCKED_WORDS = env_list("COMMENTS_BLOCKED_WORDS", "")
COMMENTS_WATCHED_WORDS = env_list("COMMENTS_WATCHED_WORDS", "")

# JSON API (docs/api.md). Limits are "requests/seconds" per client: anonymous readers by
# address, apps by session token (every request also counts against its address, at the
# higher token limit, so made-up tokens buy nothing).
API_RATE_ANON = env_str("API_RATE_ANON", "120/60")
API_RATE_TOKEN = env_str("API_RATE_TOKEN", "600/60")
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 50)
# The longest `cursor` the API accepts (its own are under 60 characters).
API_CURSOR_MAX_LENGTH = env_int("API_CURSOR_MAX_LENGTH", 200)
# Stories (stories/, docs/stories.md): grouping the same event across sources.
STORY_WINDOW_HOURS = env_int("STORY_WINDOW_HOURS", 72)  # candidates published this close
STORY_MINHASH_THRESHOLD = env_float("STORY_MINHASH_THRESHOLD", 0.5)  # near-dup
# Same event in other words: the blend's probability needed (stories/blend.py).
STORY_MATCH_PROBABILITY = env_float("STORY_MATCH_PROBABILITY", 0.3)
STORY_MATCH_MEAN_PROBABILITY = env_float("STORY_MATCH_MEAN_PROBABILITY", 0.5)  # story-wide
STORY_MIN_SHARED_KEYS = env_int("STORY_MIN_SHARED_KEYS", 1)  # LSH keys a candidate shares
STORY_MAX_CANDIDATES = env_int("STORY_MAX_CANDIDATES", 40)  # compared in full per article
STORY_RELATED_DAYS = env_int("STORY_RELATED_DAYS", 30)  # how far back related articles reach
# A feed's claimed time earlier than its item was first seen here by more than this: the
# time first seen counts as reported (stories/trust.py).
STORY_CLAIM_TOLERANCE_MINUTES = env_int("STORY_CLAIM_TOLERANCE_MINUTES", 30)
# The article page's Related Articles ranker (articles/selectors.py); empty: topics+recency.
ARTICLE_RELATED_HOOK = "stories.related.related_articles"

# The footer's app badges (Promo "Footer: download the app"); empty: that badge is hidden.
APP_STORE_URL = env_str("APP_STORE_URL", "")
PLAY_STORE_URL = env_str("PLAY_STORE_URL", "")


# The rich text editor (django-prose-editor, articles/admin_forms.py). Our extensions are
# modules of our own: the embed block (its nh3 rules are articles/sanitize.py's), and
# NoInjectedStyles, which keeps tiptap from injecting an inline <style> (CSP; no HTML).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("js/editor-embed.js")],
        "extensions": {"Embed": html_tags(["div", "a"], {"a": ["href"]})},
    },
    {
        "js": [lazy(static, str)("js/editor-extras.js")],
        "extensions": {"NoInjectedStyles": html_tags([])},
    },
]
REQUIRE_REVIEW = env_bool("REQUIRE_REVIEW", False)
# How many pinned articles a topic page shows above its newest ones.
TOPIC_PIN_LIMIT = env_int("TOPIC_PIN_LIMIT", 3)
