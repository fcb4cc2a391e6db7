"""System checks for the serving set-up (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@checks.register(checks.Tags.security, deploy=True)
def fast_password_hasher_in_production(app_configs, **kwargs):
    """FAST_PASSWORD_HASHER exists for the tests; a production site must never hash with it."""
    if not settings.DEBUG and settings.PASSWORD_HASHERS[:1] == [FAST_HASHER]:
        return [
            checks.Warning(
                "Passwords are hashed with MD5 (FAST_PASSWORD_HASHER is on).",
                hint="Unset FAST_PASSWORD_HASHER: it is for the test suite only.",
                id="serving.W001",
            )
        ]
    return []
