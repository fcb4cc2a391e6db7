"""import_comments: WordPress and Disqus exports (samples in tests/comments/imports/)."""

from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from comments.importing.loader import find_article, import_comments
from comments.importing.records import ExportError, plain_text
from comments.models import Comment, ImportedAuthor, ModerationLog, Status
from tests.factories import ArticleFactory, ConfirmedReaderFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "imports"
WXR = str(SAMPLES / "harbour-times.wxr.xml")
DISQUS = str(SAMPLES / "harbour-times.disqus.xml")


@pytest.fixture
def quay(settings):
    settings.SITE_URL = "https://news.example.org"
    return ArticleFactory(
        slug="quay-lights", original_url="https://harbourtimes.example.org/2019/03/quay-lights/"
    )


@pytest.fixture
def ferry(settings):
    return ArticleFactory(
        slug="ferry-winter", original_url="https://harbourtimes.example.org/?p=42"
    )


@pytest.fixture
def marta(db):
    """A reader here who confirmed the address she used on the old site."""
    return ConfirmedReaderFactory(email="marta@example.net", display_name="Marta Q.")


def _run(*args) -> str:
    out = StringIO()
    call_command("import_comments", *args, stdout=out)
    return out.getvalue()


def test_wordpress_import_keeps_threads_dates_and_states(quay, ferry, marta):
    output = _run("wordpress", WXR)
    by_id = {c.external_id: c for c in Comment.objects.filter(import_source="wordpress")}
    assert set(by_id) == {"101", "102", "103", "104", "105", "106", "107", "109", "201"}
    assert (by_id["102"].parent_id, by_id["102"].depth) == (by_id["101"].pk, 1)
    assert (by_id["103"].parent_id, by_id["103"].depth) == (by_id["102"].pk, 2)
    # A fourth level joins the third, as on the site.
    assert (by_id["104"].parent_id, by_id["104"].depth) == (by_id["102"].pk, 2)
    assert {by_id[i].thread_id for i in ("101", "102", "103", "104")} == {by_id["101"].pk}
    assert by_id["109"].parent_id is None  # its parent is not in the export
    assert [by_id[i].status for i in ("101", "105", "106", "107")] == [
        Status.APPROVED,
        Status.PENDING,
        Status.SPAM,
        Status.REJECTED,
    ]
    assert by_id["101"].created_at.isoformat() == "2019-03-04T10:11:12+00:00"
    assert by_id["201"].article_id == ferry.pk and by_id["101"].article_id == quay.pk
    assert by_id["101"].body == (
        "About time.\nSee the plan (https://lights.example.org/plan) & the map."
    )
    assert "9 imported" in output and "Left out (pingback): 1" in output
    assert "https://harbourtimes.example.org/2018/01/lost-page/  (1 comments)" in output
    assert "Replies whose parent is missing, kept as top-level: 1" in output
    assert ModerationLog.objects.filter(reason__startswith="Imported from WordPress").count() == 9


def test_authors_are_readers_by_confirmed_email_or_imported_authors(quay, ferry, marta):
    ConfirmedReaderFactory(email="olu@example.net").emailaddress_set.update(verified=False)
    _run("wordpress", WXR)
    by_id = {c.external_id: c for c in Comment.objects.filter(import_source="wordpress")}
    assert by_id["101"].author == marta and by_id["201"].author == marta
    olu = by_id["102"].author  # an unconfirmed address is not proof: an imported author
    assert olu != marta and not olu.is_active and olu.email == ""
    assert by_id["104"].author == olu  # same address, any case: the same author
    assert ImportedAuthor.objects.get(user=olu).email == "olu@example.net"
    page = Client().get(quay.get_absolute_url()).content.decode()
    assert "Olu Pier" in page and "Marta Q." in page and "About time." in page


def test_reader_confirming_the_address_claims_the_imported_comments(client, quay, ferry):
    _run("wordpress", WXR)
    reader = User.objects.create_user("olu-here", "olu@example.net", "a-Long-passw0rd!")
    address = EmailAddress.objects.create(user=reader, email="olu@example.net", primary=True)
    from allauth.account.signals import email_confirmed

    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Comment.objects.filter(author=reader).count() == 3  # 102, 104, 109
    assert ImportedAuthor.objects.get(email="olu@example.net").claimed_by == reader


def test_running_again_adds_nothing(quay, ferry, marta):
    _run("wordpress", WXR)
    count = Comment.objects.count()
    output = _run("wordpress", WXR)
    assert Comment.objects.count() == count
    assert "0 imported" in output and "Already imported before (skipped): 9" in output
    assert ImportedAuthor.objects.count() == 4  # Olu, Quiet Reader, Cheap Lamps, Gull


def test_disqus_import(quay, marta):
    output = _run("disqus", DISQUS)
    by_id = {c.external_id: c for c in Comment.objects.filter(import_source="disqus")}
    assert set(by_id) == {"9001", "9002", "9003", "9004", "9005"}
    assert by_id["9001"].author == marta and by_id["9001"].article_id == quay.pk
    assert by_id["9001"].body == "Lovely to see this done.\nFinally."
    assert by_id["9002"].parent_id == by_id["9001"].pk
    assert by_id["9003"].status == Status.REJECTED and by_id["9004"].status == Status.SPAM
    assert by_id["9005"].parent_id is None
    assert "https://elsewhere.example.org/unknown-story/  (1 comments)" in output
    _run("disqus", DISQUS)
    assert Comment.objects.filter(import_source="disqus").count() == 5


def test_entity_bomb_is_refused_without_expanding(quay):
    # Refused, nothing stored, and the operator told why in the importer's own words. Which
    # check fires first is libxml2's business: older builds reach our DTD check, newer ones
    # (2.14) stop at their own entity-amplification limit, reported as malformed XML.
    with pytest.raises(CommandError, match=r"declares a DTD|Malformed XML"):
        _run("wordpress", str(SAMPLES / "entity-bomb.wxr.xml"))
    assert not Comment.objects.exists()


def test_malformed_xml_keeps_what_came_before_and_a_rerun_finishes(quay, ferry, marta):
    with pytest.raises(CommandError, match="Malformed XML"):
        _run("wordpress", str(SAMPLES / "truncated.wxr.xml"))
    assert Comment.objects.filter(import_source="wordpress").count() == 8  # the first post
    _run("wordpress", WXR)
    assert Comment.objects.filter(import_source="wordpress").count() == 9


def test_missing_file_is_a_clear_error():
    with pytest.raises(ExportError, match="Cannot read"):
        import_comments(source="wordpress", path=str(SAMPLES / "nope.xml"))


def test_threads_match_our_own_address_and_original_urls(settings, quay):
    settings.SITE_URL = "https://news.example.org"
    assert find_article("https://news.example.org/articles/quay-lights/") == quay.pk
    assert find_article("http://www.harbourtimes.example.org/2019/03/quay-lights") == quay.pk
    assert find_article("https://harbourtimes.example.org/2019/03/other/") is None
    assert find_article("https://news.example.org/about/") is None


def test_plain_text_drops_markup_and_keeps_lines():
    assert plain_text("<b>Bold</b> &lt;tag&gt;<br/>next<script>x()</script>") == (
        "Bold <tag>\nnext"
    )


def test_small_batches_give_the_same_threads(quay, ferry, marta):
    _run("wordpress", WXR, "--batch-size", "2")  # parents in earlier batches, not this one
    by_id = {c.external_id: c for c in Comment.objects.filter(import_source="wordpress")}
    assert len(by_id) == 9
    assert by_id["104"].parent_id == by_id["102"].pk and by_id["103"].depth == 2
