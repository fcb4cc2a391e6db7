"""`jobs.mail.WrittenAlternatives`: the MIME it writes itself reads as Django's would."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.core.mail import EmailMultiAlternatives

from jobs.mail import FinishedMIME, WrittenAlternatives

HEADERS = {
    "List-Unsubscribe": "<mailto:news@example.org?subject=unsubscribe%20a1:b2>, "
    "<https://news.example.org/following/unsubscribe/a1:b2/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": "Nouvelles du Café briefing <briefing.following.example.org>",
}


def _both(subject: str, text: str, html: str, to: str = "ada@example.org", **kwargs):
    found = []
    for cls in (EmailMultiAlternatives, WrittenAlternatives):
        message = cls(subject, text, to=[to], headers=HEADERS, **kwargs)
        message.attach_alternative(html, "text/html")
        found.append(message.message())
    return found


def _read(mime) -> tuple[dict, list]:
    parsed = email.message_from_bytes(mime.as_bytes(linesep="\r\n"), policy=policy.default)
    # Unfolded (Django's fold may start with a line break: a leading space once decoded).
    headers = {k: " ".join(str(v).split()) for k, v in parsed.items()}
    del headers["Date"], headers["Message-ID"]
    headers["Content-Type"] = parsed.get_content_type()
    parts = [
        (p.get_content_type(), p["Content-Transfer-Encoding"], p.get_content())
        for p in parsed.iter_parts()
    ]
    return headers, parts


@pytest.mark.parametrize(
    "subject",
    [
        "[Newsroom] Your briefing: Quay reopens",
        "[Newsroom] Your briefing: the harbour's ferry quay reopens after the winter storms "
        "damaged its wall",
        "[Newsroom] Your briefing: Café «quay» reopens — after the storms of the long winter",
    ],
)
def test_the_written_mime_reads_as_djangos(subject):
    text = "Your briefing\n\n1. Café reopens\r\n   https://news.example.org/s/1/\n"
    html = '<p><a href="https://news.example.org/s/1/">Quay reopens</a></p>\n'
    django, written = _both(subject, text, html)
    assert isinstance(written, FinishedMIME)
    assert _read(written) == _read(django)
    assert all(len(line) <= 78 for line in written.as_bytes().split(b"\n\n", 1)[0].split(b"\n"))


def test_what_needs_the_email_packages_care_is_left_to_django():
    long_line = "<p>" + "word " * 300 + "</p>"  # quoted-printable
    for args in (("Hi", "text", long_line), ("Hi", "text", "<p>x</p>", "ada@exämple.org")):
        django, written = _both(*args)
        assert not isinstance(written, FinishedMIME)
        assert _read(written) == _read(django)
