"""Demo discussion for `make run`: a few readers, threads on the latest articles and some
comments waiting in the moderation queue. Idempotent: does nothing once demo readers have
commented. The text is written for this project.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from comments.models import Comment, ModerationLog, Reason, Status
from comments.rules import fingerprint

READERS = [
    ("demo-reader-1", "Noor Haddad"),
    ("demo-reader-2", "Piet van Dam"),
    ("demo-reader-3", "Grace Okafor"),
]

THREADS = [
    [
        (0, "This is the first time I have seen the figures laid out so plainly."),
        (1, "Agreed, although the second table leaves out last winter.\nStill useful."),
        (2, "Last winter is in the appendix at https://example.org/appendix if anyone needs it."),
    ],
    [
        (2, "Does anyone know whether the council will publish the minutes?"),
        (0, "They usually do within a week."),
    ],
    [(1, "Good to see the follow-up. The first report raised more questions than it answered.")],
]
PENDING = [
    (1, Reason.LINKS, "Two sources: https://example.org/a and https://example.org/b"),
    (2, Reason.PREMODERATION, "I would like to hear from the people who live on that street."),
]


class Command(BaseCommand):
    help = "Add demo readers and comments (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        readers = []
        for username, name in READERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "display_name": name},
            )
            if created:
                user.set_password(secrets.token_urlsafe(16))  # demo readers never log in
                user.save()
            readers.append(user)
        if Comment.objects.filter(author__in=readers).exists():
            self.stdout.write("Demo comments already there.")
            return
        articles = list(Article.objects.published().order_by("-published_at")[:3])
        if not articles:
            self.stdout.write("No published articles: run seed_demo first.")
            return
        start = timezone.now() - timedelta(hours=6)
        made = 0
        for article, thread in zip(articles, THREADS, strict=False):
            parent = None
            for who, body in thread:
                made += 1
                parent = self._add(article, readers[who], body, parent, start, made)
        for who, reason, body in PENDING:
            made += 1
            self._add(articles[0], readers[who], body, None, start, made, Status.PENDING, reason)
        self.stdout.write(f"Added {made} demo comments ({len(PENDING)} in the moderation queue).")

    @staticmethod
    def _add(article, author, body, parent, start, n, status=Status.APPROVED, reason=""):
        comment = Comment.objects.create(
            article=article,
            author=author,
            parent=parent,
            body=body,
            fingerprint=fingerprint(body),
            status=status,
            hold_reason=reason,
            hold_reason_text=Reason(reason).label if reason else "",
            created_at=start + timedelta(minutes=17 * n),
        )
        ModerationLog.objects.create(
            comment=comment, action=ModerationLog.Action.POSTED, to_status=status, reason="demo"
        )
        return comment
