"""Tags' versions as each process knows them: a page rendered while its tags changed is kept
briefly, one rendered after is kept; another process's bump seen at the next check (at
once on the disk cache), counters and logs that restart or lose entries, the memo's
bound, bumps batched together and held until their transaction commits."""

import time

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from serving import tags
from serving.cache import _page_key
from serving.cache_disk import STAMP_FILE, ChangeStamp
from serving.page_store import local_pages
from serving.tags import bump_tags
from tests.factories import (
    ArticleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _long_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 600


def _key(url, query=("order", "cpage")):
    return _page_key(RequestFactory().get(url), query)


def test_a_page_whose_tags_change_while_it_renders_is_kept_briefly(rf, settings):
    from django.http import HttpResponse

    from serving.cache import cache_for_anonymous, tag

    @cache_for_anonymous(query=())
    def view(request):
        tag(request, "article:1")
        tags.bump(["article:1"])  # a write on another server commits meanwhile
        return HttpResponse("built from the state before the write")

    response = view(rf.get("/racing/"))
    assert "s-maxage=1," in response["Cache-Control"] + ","
    entry = cache.get(_key("/racing/", ()))
    assert entry["fresh_until"] <= time.time() + settings.PAGE_CACHE_SETTLE_SECONDS


def test_a_page_rendered_after_the_versions_it_saw_is_kept(rf, settings):
    """A write's tags are published after it commits (bump_tags): a render that had seen
    the new versions before it read anything read the write, however recent the bump, so
    its page is kept for long, not rendered again a second later. A tag the stale copy
    did not carry counts as seen when the same bump gave it its version."""
    from django.http import HttpResponse

    from serving.cache import cache_for_anonymous, tag

    shown = ["article:1"]

    @cache_for_anonymous(query=())
    def view(request):
        tag(request, *shown)
        return HttpResponse("built after the write")

    view(rf.get("/after/"))
    tags.bump(["article:1", "comment:9"])  # an approval committed: both tags, one bump
    shown.append("comment:9")  # the approved comment is shown now
    response = view(rf.get("/after/"))
    assert response["X-Page-Cache"] == "miss"
    assert "s-maxage=1," not in response["Cache-Control"] + ","
    entry = cache.get(_key("/after/", ()))
    assert entry["fresh_until"] > time.time() + 60


def test_versions_come_from_this_process_within_the_window(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 30
    first = tags.versions(["article:1", "promo"])
    cache.clear()  # the shared copy is gone: within the window the process's copy answers
    assert tags.versions(["article:1", "promo"]) == first
    bump_tags(["promo"])  # this process's own write: seen at once
    assert tags.versions(["promo"])["promo"] != first["promo"]
    local_pages.clear()


def _bumped_elsewhere(tag: str, *, log: bool = True) -> int:
    """What another process's bump leaves in the shared cache (this one's memory apart)."""
    version = tags.new_version()
    cache.set(tags.KEY_PREFIX + tag, version)
    counter = cache.incr(tags.COUNTER_KEY)
    if log:
        cache.set(f"{tags.LOG_KEY_PREFIX}{counter}", frozenset([tag]))
    return version


def test_another_process_bump_is_seen_at_the_next_check_and_only_its_tags_reread(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0  # check the counter on every read
    first = tags.versions(["article:1", "article:2"])
    # Not a bump (no change counted): the remembered version stands. Shows what follows
    # re-reads only the tags the log names.
    cache.set(tags.KEY_PREFIX + "article:2", 5)
    new = _bumped_elsewhere("article:1")
    assert tags.versions(["article:1", "article:2"]) == {
        "article:1": new,
        "article:2": first["article:2"],
    }


def test_on_the_disk_cache_another_process_bump_is_seen_at_the_next_lookup(settings):
    """The disk cache publishes the change counter in memory every process maps
    (serving/cache_disk.py): a bump elsewhere is seen at once, long before the next timed
    check. Redis publishes nothing: there it waits for that check."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 30
    first = tags.versions(["article:1"])
    new = _bumped_elsewhere("article:1")
    publish = getattr(cache, "publish_change", None)
    if settings.REDIS_URL:
        assert publish is None
        assert tags.versions(["article:1"]) == first
    else:
        publish(cache.get(tags.COUNTER_KEY))
        assert tags.versions(["article:1"]) == {"article:1": new}


def test_an_unwritable_cache_directory_leaves_the_timed_check(tmp_path):
    (tmp_path / "stamp").mkdir()
    (tmp_path / "stamp" / STAMP_FILE).mkdir()  # not a file: cannot be mapped
    stamp = ChangeStamp(str(tmp_path / "stamp"))
    stamp.write(7)
    assert stamp.read() is None
    mapped, other = ChangeStamp(str(tmp_path)), ChangeStamp(str(tmp_path))
    mapped.write(12)  # two mappings of one file: what two processes see
    assert other.read() == 12


def test_a_missing_log_entry_forgets_every_remembered_version(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    tags.versions(["article:1", "article:2"])
    cache.set(tags.KEY_PREFIX + "article:2", 5)
    new = _bumped_elsewhere("article:1", log=False)
    assert tags.versions(["article:1", "article:2"]) == {"article:1": new, "article:2": 5}


def test_a_counter_started_again_forgets_every_remembered_version(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    tags.versions(["article:1"])
    cache.delete(tags.COUNTER_KEY)  # evicted, or the cache emptied
    cache.set(tags.KEY_PREFIX + "article:1", 5)
    assert tags.versions(["article:1"]) == {"article:1": 5}


def test_versions_read_before_the_counter_moved_are_not_remembered(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    under = tags.memo.sync(0, time.monotonic())
    _bumped_elsewhere("article:1")
    tags.memo.sync(0, time.monotonic())  # another thread moved on meanwhile
    tags.memo.remember({"article:1": 1}, under)
    assert "article:1" not in tags.memo.entries


def test_a_page_is_checked_against_the_tags_changed_since_it_was_found_current():
    """Every bump moves each process's epoch (serving.tags._Memo); a page kept in memory
    is then checked against the tags that changed since, not tag by tag."""
    memo = tags._Memo()
    start = memo.epoch
    memo.remember({"list:comment:article=7": 1}, None, bumped=True)
    memo.remember({"comment:9": 2}, None, bumped=True)
    assert memo.changed_since(start) == {"list:comment:article=7", "comment:9"}
    assert memo.changed_since(start + 1) == {"comment:9"}
    assert memo.changed_since(memo.epoch) == frozenset()
    assert memo.changed_since(None) is None  # a page never checked here
    before_clear = memo.epoch
    memo.clear()  # any version may have changed
    assert memo.changed_since(before_clear) is None
    long_ago = memo.epoch
    for n in range(tags.EPOCH_MOVES + 1):
        memo.remember({f"comment:{n}": n}, None, bumped=True)
    assert memo.changed_since(long_ago) is None  # older than what is remembered


def test_a_page_kept_in_memory_follows_a_bump_of_its_tags_only(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    bump_tags({"comment:0", "list:comment:article=0"})  # another article's comment
    assert client.get(url)["X-Page-Cache"] == "hit"
    bump_tags({f"article:{article.pk}"})
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_a_full_memo_forgets_its_oldest_half_not_everything():
    from serving.tags import _Memo

    memo = _Memo(limit=4)
    memo.counter = 7
    memo.remember({"a": 1, "b": 2, "c": 3, "d": 4}, under=7)
    memo.remember({"e": 5}, under=7)
    assert memo.entries == {"c": 3, "d": 4, "e": 5}


def test_bumps_together_bump_every_tag_once_at_the_end(django_capture_on_commit_callbacks):
    names = ["article:1", "article:2", "reader:3"]
    before = tags.versions(names)
    cache.add(tags.COUNTER_KEY, 1, timeout=None)
    changes = cache.get(tags.COUNTER_KEY)  # every bump counts itself once
    with django_capture_on_commit_callbacks(execute=True):
        with tags.bumps_together():
            bump_tags(["article:1"])
            with tags.bumps_together():  # nested: bumped with the outer block
                bump_tags(["article:2", "article:1"])
            bump_tags(["reader:3"], http=False)
            assert cache.get(tags.COUNTER_KEY) == changes  # nothing yet
            assert tags.versions(names) == before
        # Not committed yet: this thread sees the change, nobody else does.
        assert all(v != before[t] for t, v in tags.versions(names).items())
        assert cache.get(tags.COUNTER_KEY) == changes
    # Two bumps: the tags to purge from HTTP caches, and the one that is not.
    assert cache.get(tags.COUNTER_KEY) == changes + 2
    after = tags.versions(names)
    assert all(after[t] != before[t] for t in names)
    assert after["article:1"] == after["article:2"]  # one bump, one version


def test_bumps_together_bump_when_the_block_raises():
    before = tags.versions(["article:1"])
    with pytest.raises(RuntimeError), tags.bumps_together():
        bump_tags(["article:1"])
        raise RuntimeError
    assert tags.versions(["article:1"]) != before


def test_a_bump_inside_a_transaction_is_seen_by_its_thread_alone_until_the_commit(
    django_capture_on_commit_callbacks,
):
    """Another process may render a page only from committed rows once it sees a new
    version: inside a transaction the writing thread sees its bump at once, every other
    thread (standing for the other processes) the committed state until the commit."""
    import threading

    before = tags.versions(["article:5"])

    def elsewhere() -> dict:
        found = {}
        thread = threading.Thread(target=lambda: found.update(tags.versions(["article:5"])))
        thread.start()
        thread.join()
        return found

    with django_capture_on_commit_callbacks(execute=True):
        bump_tags(["article:5"])
        assert tags.versions(["article:5"]) != before  # the writer: at once
        assert elsewhere() == before  # the others: not before the commit
    assert elsewhere() != before  # committed: published


def test_a_bump_rolled_back_with_its_savepoint_is_forgotten():
    from django.db import transaction

    before = tags.versions(["article:6"])
    with pytest.raises(RuntimeError), transaction.atomic():
        bump_tags(["article:6"])
        assert tags.versions(["article:6"]) != before
        raise RuntimeError  # the write is rolled back: nothing changed
    assert tags.versions(["article:6"]) == before


def test_a_value_built_from_a_briefly_kept_one_is_kept_no_longer(settings):
    """A kept value built while a write committed is kept a moment only (it may show the
    state before the write). A value built from it a little later (the Following page's
    cards, from each story's card) saw no write itself, and was kept for the full time:
    it served the old card after the card itself was rebuilt. It ends with the first."""
    from django.core.cache import caches

    from serving import dependencies
    from serving.fragments import kept, key_of

    def card():
        dependencies.record("article:1")
        tags.bump(["article:1"])  # a write on another server commits meanwhile
        return "the card before the write"

    inner, outer = key_of("test-card", time.time()), key_of("test-cards", time.time())
    kept(inner, card)
    time.sleep(settings.PAGE_CACHE_CLOCK_MARGIN * 3)  # the write is older than the margin
    assert kept(outer, lambda: [kept(inner, card)]) == ["the card before the write"]
    first, second = (caches["fragments"].get(k)["until"] for k in (inner, outer))
    assert first <= time.time() + settings.PAGE_CACHE_SETTLE_SECONDS
    assert second <= first


def _url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


def _state(client, url):
    return client.get(url)["X-Page-Cache"]


def _as_another_process() -> None:
    """Forget what this process knows: its kept pages, tag versions, counter and log."""
    local_pages.clear()


@pytest.fixture
def committed_article(django_capture_on_commit_callbacks):
    """An article whose writes' bumps are published, as if committed (the test's own
    transaction never commits: until then they are this thread's alone)."""
    with django_capture_on_commit_callbacks(execute=True):
        return ArticleFactory()


def _tag_keys_read(monkeypatch) -> list[str]:
    """The tag versions this test's requests ask the shared cache for (it still answers)."""
    asked: list[str] = []
    get_many = cache.get_many

    def reading(keys, *args, **kwargs):
        keys = list(keys)
        asked.extend(k for k in keys if k.startswith(tags.KEY_PREFIX))
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", reading)
    return asked


def test_a_process_meeting_a_page_first_reads_none_of_its_tags(
    client, monkeypatch, committed_article
):
    """A page is stored with the change counter its versions were read under; another
    process checks it against the change log since then (serving.page_store._unchanged),
    not its dozens of tags one by one: on reads spread over many pages, each worker met
    each page once and paid for all its tags (docs/benchmarks.md)."""
    article = committed_article
    url = _url(article)
    assert _state(client, url) == "miss"
    _bumped_elsewhere("list:comment:article=0")  # a change, to another page's tags
    _as_another_process()
    asked = _tag_keys_read(monkeypatch)
    assert _state(client, url) == "hit"
    assert _state(client, url) == "hit"  # and kept in memory
    assert asked == []


def test_a_process_meeting_a_page_first_sees_a_change_of_its_tags_made_elsewhere(
    client, committed_article
):
    article = committed_article
    url = _url(article)
    client.get(url)
    _bumped_elsewhere(f"article:{article.pk}")
    _as_another_process()
    assert _state(client, url) == "miss"
    assert _state(client, url) == "hit"


def test_without_the_log_a_page_met_first_is_checked_tag_by_tag(
    client, monkeypatch, committed_article
):
    article = committed_article
    url = _url(article)
    client.get(url)
    _bumped_elsewhere("list:comment:article=0", log=False)  # expired, or not written yet
    _as_another_process()
    asked = _tag_keys_read(monkeypatch)
    assert _state(client, url) == "hit"  # its own tags did not change
    assert f"{tags.KEY_PREFIX}article:{article.pk}" in asked


def test_a_kept_page_past_the_epochs_remembered_is_checked_by_the_log(
    client, monkeypatch, settings, committed_article
):
    """More moves of the epoch than a process remembers (EPOCH_MOVES): a page kept in
    memory is checked against the log's tags since it was last found current."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 0  # each check sees the counter move
    article = committed_article
    url = _url(article)
    client.get(url)
    assert _state(client, url) == "hit"
    for n in range(tags.EPOCH_MOVES + 1):
        _bumped_elsewhere(f"list:comment:article={n + 10_000}")
        tags.epoch()  # seen: one move each
    asked = _tag_keys_read(monkeypatch)
    assert _state(client, url) == "hit"
    assert asked == []
    _bumped_elsewhere(f"article:{article.pk}")
    assert _state(client, url) == "miss"


def test_a_page_carrying_a_tag_this_thread_changed_is_not_checked_by_the_log(
    client, committed_article
):
    """This thread's bump waits for its commit (serving.tags.bump_tags): no log names it
    yet, but this thread must not see the page as it was before."""
    article = committed_article
    url = _url(article)
    client.get(url)
    _as_another_process()
    with transaction.atomic():
        bump_tags({f"article:{article.pk}"})
        assert _state(client, url) != "hit"


def test_the_tags_changed_after_a_counter_come_from_the_log(settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    tags.versions(["article:1"])  # starts the counter
    since = tags.counter()
    assert tags.changed_after(since) == (frozenset(), since)
    _bumped_elsewhere("article:1")
    _bumped_elsewhere("article:2")
    changed, now = tags.changed_after(since)
    assert (changed, now) == ({"article:1", "article:2"}, since + 2)
    assert tags.changed_after(since + 1)[0] == {"article:2"}
    _as_another_process()  # nothing logged known here: read from the shared cache
    assert tags.changed_after(since) == ({"article:1", "article:2"}, since + 2)
    assert tags.changed_after(None)[0] is None  # stored under no counter
    assert tags.changed_after(since + 3)[0] is None  # ahead of this process
    assert tags.changed_after(since - tags.LOG_WINDOW)[0] is None  # past the window
    _bumped_elsewhere("article:3", log=False)
    assert tags.changed_after(since)[0] is None  # a log entry missing


def test_a_bump_learns_its_own_change_from_the_increment_unless_another_came_between(
    settings, monkeypatch
):
    """A bump right after this process's check knows its own change from the increment's
    answer (no read of the counter or the log); a change made elsewhere in between is
    not skipped: then the counter is checked, and both changes are seen."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 30  # no timed check within the test
    first = tags.versions(["article:1", "article:2"])
    since = tags.counter()
    reads = []
    monkeypatch.setattr(tags.memo, "sync", lambda *a: reads.append(a) or tags.memo.counter)
    tags.bump(["article:1"])
    assert reads == []  # learned from the increment alone
    assert tags.changed_after(since)[0] == {"article:1"}
    monkeypatch.undo()
    elsewhere = _bumped_elsewhere("article:2")
    tags.bump(["article:1"])  # its increment is two past this process's check
    changed, now = tags.changed_after(since)
    assert (changed, now) == ({"article:1", "article:2"}, since + 3)
    assert tags.versions(["article:2"]) == {"article:2": elsewhere} != first
