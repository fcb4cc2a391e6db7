"""Run the scheduler tick in a loop (one per machine, or several: they never double up)."""

from __future__ import annotations

import gc
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jobs.scheduler import tick


class Command(BaseCommand):
    help = "Enqueue due work (feed polls, periodic tasks) every few seconds, until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between ticks (default: settings.SCHEDULER_TICK_SECONDS).",
        )
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")

    def handle(self, *args, interval=None, once=False, **options):
        interval = settings.SCHEDULER_TICK_SECONDS if interval is None else interval
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.stdout.write(f"Scheduler ticking every {interval:g} s")
        # Everything loaded so far (Django, the apps) lives as long as the process: kept out
        # of the garbage collector's full passes, which otherwise scan it all from inside a
        # tick (150-230 ms, three times the tick's budget: docs/ingestion.md).
        if not once:
            gc.freeze()
        while self.running:
            close_old_connections()
            started = time.monotonic()
            try:
                ran = tick()
            except Exception as exc:  # a database hiccup: try again next tick
                self.stderr.write(f"tick failed: {type(exc).__name__}: {exc}")
                ran = []
            if ran and options["verbosity"] > 1:
                self.stdout.write(f"ran {', '.join(ran)}")
            if once:
                break
            while self.running and time.monotonic() - started < interval:
                time.sleep(0.1)  # short naps: a stop signal ends the loop at once

    def _stop(self, signum, frame):
        self.running = False
