"""Truncate the IP addresses of comments older than COMMENTS_IP_RETENTION_DAYS.

IPv4 keeps its /24 network (203.0.113.57 -> 203.0.113.0), IPv6 its /48: enough to see that
two old comments came from the same network, not enough to point at a person. Run it daily
from cron (see docs/comments.md); it is idempotent.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from comments.models import Comment


def truncate_ip(value: str) -> str:
    """The network part of an address, as an address."""
    address = ipaddress.ip_address(value)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


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
        cutoff = timezone.now() - timedelta(days=days)
        old = Comment.objects.filter(created_at__lt=cutoff, ip_scrubbed=False)
        done = 0
        while batch := list(old.values_list("pk", "ip_address")[:1000]):
            for pk, ip in batch:
                Comment.objects.filter(pk=pk).update(
                    ip_address=truncate_ip(ip) if ip else None, ip_scrubbed=True
                )
            done += len(batch)
        self.stdout.write(f"Truncated the IP address of {done} comment(s) older than {days} days.")
