"""Create a demo editor and a demo moderator and print their passwords.

The passwords are random, made on the first run and kept in var/demo-staff.txt (not in
the repository), so running `make run` again prints the same ones.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_STAFF = [
    ("editor", "editor@example.org", "Demo Editor", "Editors"),
    ("moderator", "moderator@example.org", "Demo Moderator", "Moderators"),
]


class Command(BaseCommand):
    help = "Create the demo editor and moderator (idempotent) and print their passwords."

    def handle(self, *args, **options):
        store = settings.VAR_DIR / "demo-staff.txt"
        known = {}
        if store.exists():
            for line in store.read_text().splitlines():
                username, _, password = line.partition(" ")
                known[username] = password
        for username, email, name, group in DEMO_STAFF:
            password = known.get(username) or secrets.token_urlsafe(12)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": email, "display_name": name, "is_staff": True},
            )
            if created or username not in known:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            self._confirm_email(user)
            known[username] = password
        store.write_text("".join(f"{u} {p}\n" for u, p in known.items()))
        store.chmod(0o600)
        self.stdout.write("Demo staff accounts (log in at /admin/ or on the site):")
        for username, email, _, group in DEMO_STAFF:
            self.stdout.write(f"  {group[:-1]:<10} {email:<24} password: {known[username]}")

    @staticmethod
    def _confirm_email(user: User) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
