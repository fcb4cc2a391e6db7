"""Revisions a person can read (issue 33, point 2): rendered words side by side, pictures
and links named, changes in words."""

from articles.revisions import changes_in_words, compare, readable, word_diff


def test_changed_fields_are_said_in_words():
    assert changes_in_words(["title", "body", "image"]) == "Title, Body, Lead image"
    assert changes_in_words(["status", "published_at", "corrections"]) == (
        "Status, Published at, Corrections"
    )
    assert changes_in_words([]) == "-"


def test_the_body_is_read_as_text_with_pictures_and_links_named():
    html = (
        '<h2>Lamps</h2><p>See <a href="https://example.org/log">the log</a>.</p>'
        '<figure><img src="/m/a.jpg" alt="The lamp room"><figcaption>At dusk</figcaption>'
        "</figure>"
    )
    text = " ".join(readable(html).split())
    assert text == (
        "Lamps See [Link: the log → https://example.org/log] . [Picture: The lamp room] At dusk"
    )


def test_word_diff_marks_added_and_removed_words_and_escapes_them():
    older, newer = word_diff("The <old> lamp", "The new lamp & more")
    assert older == "The <del>&lt;old&gt;</del> lamp"
    assert newer == "The <ins>new</ins> lamp <ins>&amp; more</ins>"


def test_a_changed_link_address_or_picture_shows_in_the_comparison():
    old = {"title": "T", "body": '<p><a href="https://a.example/">here</a></p>', "image_id": 1}
    new = {"title": "T", "body": '<p><a href="https://b.example/">here</a></p>', "image_id": 2}
    rows, differing = compare(old, new)
    body = next(r for r in rows if r.label == "Body")
    assert body.changed and "<del>https://a.example/]</del>" in body.older
    assert "<ins>https://b.example/]</ins>" in body.newer
    assert differing == "Body, Lead image"
    assert not next(r for r in rows if r.label == "Title").changed
