"""python manage.py ingest_feed SOURCE_SLUG PATH_OR_URL [--publish]"""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Source
from ingest.importer import ingest_source


class Command(BaseCommand):
    help = (
        "Import one RSS or Atom feed, from a file or an http(s) URL, as articles of the "
        "source. New articles are drafts unless --publish is given or the source "
        "auto-publishes."
    )

    def add_arguments(self, parser):
        parser.add_argument("source_slug", help="The slug of the source the articles belong to.")
        parser.add_argument("location", help="A local file path or an http(s) URL.")
        parser.add_argument(
            "--publish",
            action="store_true",
            default=None,
            help="Publish new articles at their own publication time instead of as drafts.",
        )

    def handle(self, *args, source_slug, location, publish, **options):
        source = Source.objects.filter(slug=source_slug).first()
        if source is None:
            raise CommandError(f"No source with the slug {source_slug!r}.")
        report = ingest_source(source=source, location=location, publish=publish)
        self.stdout.write(report.line())
        for message in report.messages:
            self.stderr.write(f"  {message}")
        if report.failed:
            raise CommandError(f"The feed of {source.slug} could not be imported.")
