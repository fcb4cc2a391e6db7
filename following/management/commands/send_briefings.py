"""`python manage.py send_briefings [--now] [--reader EMAIL]`: mail briefings here and now.

Without `--now`: the readers due (what the worker does). With it: every reader who takes
the briefing or story updates, whatever their time, still at most once per local day.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from following.briefings import send_due


class Command(BaseCommand):
    help = "Send the morning briefings (and story updates) that are due, or all at once."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Do not wait for each time.")
        parser.add_argument("--reader", metavar="EMAIL", help="Only this reader.")

    def handle(self, *args, now=False, reader=None, **options):
        user_ids = None
        if reader:
            user = User.objects.filter(email__iexact=reader, is_active=True).first()
            if user is None:
                raise CommandError("No active reader has this address.")
            user_ids = [user.pk]
        readers, mails = send_due(force=now, user_ids=user_ids, budget=float("inf"))
        self.stdout.write(
            f"{mails} mail{'s' if mails != 1 else ''} queued for {readers} reader(s)."
        )
