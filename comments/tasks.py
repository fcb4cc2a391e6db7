"""Comment work run by the task worker: truncating old IP addresses.

`scrub_comment_ips` is enqueued once a day by the scheduler (settings.SCHEDULER_JOBS); the
management command of the same name runs the same code at once.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .models import Comment


def truncate_ip(value: str) -> str:
    """The network part of an address, as an address (IPv4 /24, IPv6 /48)."""
    address = ipaddress.ip_address(value)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def scrub_ips(*, days: int | None = None) -> int:
    """Truncate the IPs of comments older than `days` (COMMENTS_IP_RETENTION_DAYS);
    idempotent, returns how many comments changed."""
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
    return done


@task()
def scrub_comment_ips() -> int:
    """The daily scrub, as a task."""
    return scrub_ips()
