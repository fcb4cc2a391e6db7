"""Truncate the IP addresses of comments older than COMMENTS_IP_RETENTION_DAYS.

IPv4 keeps its /24 network (203.0.113.57 -> 203.0.113.0), IPv6 its /48: enough to see that
two old comments came from the same network, not enough to point at a person. The
scheduler runs it daily as a task (comments/tasks.py); this command runs it now. It is
idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from comments.tasks import scrub_ips


class Command(BaseCommand):
    help = "Truncate the IP addresses stored with comments older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: settings.COMMENTS_IP_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        days = settings.COMMENTS_IP_RETENTION_DAYS if days is None else days
        done = scrub_ips(days=days)
        self.stdout.write(f"Truncated the IP address of {done} comment(s) older than {days} days.")
