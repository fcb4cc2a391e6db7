"""Regroup every article into stories, from scratch or from where an interrupted run stopped.

    python manage.py recompute_stories            # resume, or start when nothing to resume
    python manage.py recompute_stories --restart  # forget the checkpoint, start again
    python manage.py recompute_stories --jobs 4   # key points in 4 worker processes

Editors' decisions (locked memberships, pinned leads, edited key points) are kept.
Articles are taken in publication order, as they arrived, in batches; the checkpoint is
saved after each batch, so a stopped run loses at most one batch of work.
"""

from __future__ import annotations

import sys
import time
from multiprocessing import get_context

from django.core.management.base import BaseCommand
from django.db import connections, transaction
from django.db.models import Q

from articles.models import Article
from stories import recompute
from stories.models import RecomputeCheckpoint

NAME = "recompute_stories"


class Command(BaseCommand):
    help = "Regroup all articles into stories (resumable; editors' decisions kept)."

    def add_arguments(self, parser):
        parser.add_argument("--restart", action="store_true", help="Ignore the checkpoint.")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Processes computing fingerprints and key points (grouping stays in one).",
        )

    def handle(self, *args, restart: bool, batch: int, jobs: int, **options):
        if jobs <= 1:
            return self._run(restart, batch, None)
        connections.close_all()  # the workers only compute; they must not share a connection
        with get_context("fork").Pool(jobs) as pool:
            return self._run(restart, batch, pool)

    def _run(self, restart: bool, batch: int, pool) -> None:
        checkpoint = RecomputeCheckpoint.objects.filter(name=NAME).first()
        if restart or checkpoint is None:
            RecomputeCheckpoint.objects.filter(name=NAME).delete()
            recompute.reset()
            checkpoint = RecomputeCheckpoint.objects.create(name=NAME)
        else:
            self.stdout.write(f"Resuming after {checkpoint.done} articles.")
        todo = recompute.ordered(Article.objects.exclude(status=Article.Status.WITHDRAWN))
        total = todo.count()
        started, resumed_at = time.monotonic(), checkpoint.done
        while True:
            after = todo
            if checkpoint.last_published_at is not None:
                after = todo.filter(
                    Q(sort_at__gt=checkpoint.last_published_at)
                    | Q(sort_at=checkpoint.last_published_at, pk__gt=checkpoint.last_article_id)
                )
            chunk = list(after[:batch])
            if not chunk:
                break
            with transaction.atomic():
                recompute.regroup(chunk, pool)
                last = chunk[-1]
                checkpoint.last_published_at = last.sort_at
                checkpoint.last_article_id = last.pk
                checkpoint.done += len(chunk)
                checkpoint.save()
            self._progress(checkpoint.done, total, started, checkpoint.done - resumed_at)
        RecomputeCheckpoint.objects.filter(name=NAME).delete()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Regrouped {checkpoint.done} articles ({checkpoint.done - resumed_at} in "
                f"this run, {time.monotonic() - started:.1f} s)."
            )
        )

    def _progress(self, done: int, total: int, started: float, this_run: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = this_run / max(time.monotonic() - started, 1e-6)  # not counting a resumed part
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:.0f}/s"
        self.stdout.write(line, ending="")
        if hasattr(sys.stdout, "flush"):
            self.stdout.flush()
