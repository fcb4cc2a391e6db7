"""python manage.py import_comments {wordpress,disqus} PATH"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from comments.importing.loader import BATCH_SIZE, LABELS, Summary, import_comments
from comments.importing.records import ExportError

SHOWN_UNMATCHED = 20


class Command(BaseCommand):
    help = (
        "Import the comments of a WordPress (WXR) or Disqus XML export. Threads are matched "
        "to articles by address; running it again adds only what is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(LABELS))
        parser.add_argument("path", help="The export file (.xml).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--origin",
            default="",
            help="The old site's address (or Disqus forum) when the export does not say "
            "or says it wrongly: comment ids are unique per site.",
        )

    def handle(self, *args, source: str, path: str, batch_size: int, origin: str, **options):
        live = sys.stderr.isatty()

        def progress(summary: Summary) -> None:
            if live:
                sys.stderr.write(
                    f"\r{summary.read:,} comments read, {summary.imported:,} imported…"
                )
                sys.stderr.flush()

        try:
            summary = import_comments(
                source=source,
                path=path,
                origin=origin,
                batch_size=max(1, batch_size),
                progress=progress,
            )
        except ExportError as error:
            if live:
                sys.stderr.write("\n")
            raise CommandError(
                f"{error}\nNothing after that point was imported; what was stored before "
                "it stays, and running the command again on a fixed file adds the rest."
            ) from None
        if live:
            sys.stderr.write("\n")
        self._report(summary, LABELS[source])

    def _report(self, s: Summary, label: str) -> None:
        out = self.stdout.write
        statuses = ", ".join(f"{n:,} {status}" for status, n in sorted(s.statuses.items()))
        out(
            f"{label} ({s.origin}): {s.read:,} comments read, {s.imported:,} imported "
            f"({statuses or 'none'})."
        )
        out(f"Already imported before (skipped): {s.already_there:,}")
        if s.adopted:
            out(f"Imported before origins were kept, now counted as {s.origin}: {s.adopted:,}")
        out(
            f"Authors: {s.new_authors:,} new imported authors, each shown under the name in "
            "the export; readers claim them by confirming that email address here."
        )
        if s.readers_addresses:
            out(
                f"Of them, at an address a reader here has confirmed (not given to that "
                f"reader without a new confirmation): {s.readers_addresses:,}"
            )
        if s.refused_names:
            out(
                f"Names refused (reserved, staff or deleted-looking), shown as "
                f"“Imported reader”: {s.refused_names:,}"
            )
        if s.too_long:
            out(
                f"Longer than the comment limit, kept whole and held for moderation: {s.too_long:,}"
            )
        if s.controls_removed:
            out(f"Control characters removed from: {s.controls_removed:,}")
        if s.parent_missing:
            out(f"Replies whose parent is missing, kept as top-level: {s.parent_missing:,}")
        if s.empty:
            out(f"Empty once turned into text, left out: {s.empty:,}")
        for what, n in sorted(s.skipped.items()):
            out(f"Left out ({what}): {n:,}")
        if s.unmatched:
            out(
                self.style.WARNING(
                    f"No article for {len(s.unmatched):,} thread(s), {s.unmatched_comments:,} "
                    "comment(s) left out. Set the article's original URL to the address "
                    "below and run the import again:"
                )
            )
            for url, n in s.unmatched.most_common(SHOWN_UNMATCHED):
                out(f"  {url}  ({n:,} comments)")
            if len(s.unmatched) > SHOWN_UNMATCHED:
                out(f"  … and {len(s.unmatched) - SHOWN_UNMATCHED:,} more.")
