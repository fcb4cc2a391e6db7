"""python manage.py ingest_feeds: fetch every active source that has a feed URL."""

from django.core.management.base import BaseCommand

from articles.models import Source
from ingest.importer import ingest_source


class Command(BaseCommand):
    help = (
        "Fetch the feed of every active source with a feed URL and import new and changed "
        "entries. One failing source never stops the others; failures are recorded on the "
        "source and shown in the admin."
    )

    def handle(self, *args, **options):
        sources = Source.objects.filter(is_active=True).exclude(feed_url="").order_by("slug")
        for source in sources:
            try:
                report = ingest_source(source=source)
            except Exception as exc:  # never let one source stop the rest
                self.stderr.write(f"{source.slug}: failed unexpectedly: {exc!r}")
                continue
            self.stdout.write(report.line())
            for message in report.messages:
                self.stderr.write(f"  {message}")
