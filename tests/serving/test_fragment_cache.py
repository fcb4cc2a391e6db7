"""LocalFirstCache: this process's memory in front of the shared cache, for entries keyed
by the content version (they never change, so a local copy is never stale)."""

from django.core.cache import cache, caches


def test_a_miss_falls_through_to_the_shared_cache_and_is_kept_locally():
    fragments = caches["fragments"]
    # Another process rendered it: only the shared cache has it.
    cache.set("frag:v1", "<p>shared</p>")
    assert fragments.get("frag:v1") == "<p>shared</p>"
    # Now this process has a copy: it survives the shared entry going away.
    cache.delete("frag:v1")
    assert fragments.get("frag:v1") == "<p>shared</p>"
    assert fragments.get("frag:absent", "default") == "default"


def test_a_write_reaches_the_shared_cache_for_other_processes():
    caches["fragments"].set("frag:v2", "<p>rendered here</p>", 60)
    assert cache.get("frag:v2") == "<p>rendered here</p>"


def test_clear_drops_only_this_processes_copies():
    fragments = caches["fragments"]
    fragments.set("frag:v3", "kept", 60)
    fragments.clear()
    assert cache.get("frag:v3") == "kept"
    cache.delete("frag:v3")
    assert fragments.get("frag:v3") is None


def test_a_stored_false_is_a_hit_not_a_miss():
    # article_by_slug remembers a missing article as False.
    caches["fragments"].set("frag:none", False, 60)
    caches["fragments"].clear()
    assert caches["fragments"].get("frag:none", "miss") is False


def test_many_at_once_local_copies_first_the_rest_in_one_shared_read():
    fragments = caches["fragments"]
    fragments.set_many({"frag:m1": "<li>one</li>", "frag:m2": "<li>two</li>"}, 60)
    assert cache.get("frag:m2") == "<li>two</li>"  # other processes see them
    cache.set("frag:m3", "<li>three</li>")  # rendered by another process
    cache.delete("frag:m1")  # only this process still has it
    found = fragments.get_many(["frag:m1", "frag:m2", "frag:m3", "frag:absent"])
    assert found == {
        "frag:m1": "<li>one</li>",
        "frag:m2": "<li>two</li>",
        "frag:m3": "<li>three</li>",
    }
    cache.delete("frag:m3")
    assert fragments.get("frag:m3") == "<li>three</li>"  # kept locally once read


def test_strings_are_kept_as_they_are_and_other_values_as_copies():
    from django.utils.safestring import SafeString, mark_safe

    fragments = caches["fragments"]
    html = mark_safe("<p>kept</p>")
    fragments.set("frag:s1", html, 60)
    assert fragments.get("frag:s1") is html and isinstance(fragments.get("frag:s1"), SafeString)
    cards = {"ids": [1, 2]}
    fragments.set("frag:s2", cards, 60)
    copy = fragments.get("frag:s2")
    copy["ids"].append(3)  # a reader changing what it got...
    assert fragments.get("frag:s2") == {"ids": [1, 2]}  # ...changes nobody else's
