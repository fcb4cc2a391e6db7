"""Every page kind is valid HTML by the Nu HTML checker (vnu.jar from the npm registry's
`vnu-jar`, run with Java). `make test` and .ci/run install both."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.mail import unsubscribe_token
from comments.models import Status
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    ConfirmedReaderFactory,
    ModeratorFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"))
# One short run of the checker is mostly the JVM starting and reading the HTML schema:
# C2, the optimising compiler, never pays for itself in it, and one GC thread is enough.
# 1.8 CPU-seconds a run against 1.0 (one page), 2.7 against 1.35 (the 21 pages below),
# the same messages. Compiled by C1 alone, reading the schema needs 2 MB of stack (1 MB
# overflows): 8 leaves room.
JVM_OPTIONS = ["-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def nu_errors(pages: dict[str, str], tmp_path) -> list[str]:
    java = shutil.which("java")
    if not VNU_JAR.exists() or java is None:
        # Never a skip: `make test` installs vnu.jar and Java, and a missing one must be seen.
        pytest.fail(f"The Nu checker needs Java and {VNU_JAR} (make vnu)")
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    checker = [java, *JVM_OPTIONS, "-jar", str(VNU_JAR), "--format", "json"]
    result = subprocess.run(
        [*checker, "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


def test_pages_have_no_nu_checker_errors(client, tmp_path):
    topic = TopicFactory(name="Harbours", slug="harbours")
    article = ArticleFactory(title="Quay widening starts", byline="Ines Marlow", topics=[topic])
    root = CommentFactory(article=article, status=Status.APPROVED, body="See https://x.example")
    CommentFactory(article=article, parent=root, status=Status.APPROVED)
    CommentFactory(article=article, status=Status.PENDING, hold_reason="links")
    reader = ConfirmedReaderFactory(display_name="Ada Quill")
    moderator = ModeratorFactory(display_name="Mod Sam")
    # Issue 33: a featured comment, a deleted reader's avatar, a report's thank-you.
    from accounts.services import delete_account
    from comments.featured import comment_feature
    from comments.services import report_comment

    comment_feature(comment=root, moderator=moderator)
    gone = ConfirmedReaderFactory(display_name="Soon Gone")
    CommentFactory(article=article, status=Status.APPROVED, author=gone)
    delete_account(user=gone)
    report_comment(comment=root, reporter=reader, category="spam")
    pages = {}

    def grab(name, url, expect=200):
        response = client.get(url)
        assert response.status_code == expect, (name, response.status_code)
        pages[name] = response.content.decode()

    grab("home", "/")
    grab("article-anonymous", article.get_absolute_url())
    grab("topic", topic.get_absolute_url())
    grab("source", article.source.get_absolute_url())
    grab("author", "/authors/ines-marlow/")
    grab("search", reverse("search:search") + "?q=quay")
    grab("not-found", "/no-such-page/", 404)
    grab("login", reverse("account_login"))
    grab("signup", reverse("account_signup"))
    grab("resend", reverse("accounts:resend_confirmation"))
    grab("unsubscribe", reverse("accounts:unsubscribe", args=[unsubscribe_token(reader, "reply")]))
    client.force_login(reader)
    grab("article-reader", article.get_absolute_url())
    grab("article-reported", f"{article.get_absolute_url()}?reported={root.pk}")
    assert "comment__notice" in pages["article-reported"]
    grab("report", reverse("comments:report", args=[root.pk]))
    grab("profile", reader.get_absolute_url())
    grab("profile-edit", reverse("accounts:profile_edit"))
    client.force_login(moderator)
    grab("article-moderator", article.get_absolute_url())
    grab("queue", reverse("comments:queue"))
    grab("queue-reported", reverse("comments:queue") + "?status=reported")
    grab("ban", reverse("comments:ban", args=[reader.pk]))
    assert nu_errors(pages, tmp_path) == []
