"""Newsroom settings, one module per concern, all driven by environment variables.

Every value has a safe development default, so `make run` needs no configuration.
Production sets at least SECRET_KEY, DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL
(see the README's "Configuration" section, which tests/test_settings.py checks against
what these modules read). The environment is read only through `env.py`; importing the
settings has no side effects (var/ and the static folder are made by serving's AppConfig).

    core      debug, keys, hosts, SITE_URL, apps, middleware, templates, auth, logging
    database  DATABASES
    caching   Redis or local memory, the page cache, fragments, purges, sessions
    files     static files, media (disk or S3), image and request size limits
    security  security headers, content security policy, HTTPS
    accounts  django-allauth and outgoing mail
    tasks     the task queue and the scheduler's jobs
    content   feeds, comments, the API, stories, the editor, hooks between apps
"""

from .accounts import *  # noqa: F403
from .caching import *  # noqa: F403
from .content import *  # noqa: F403
from .core import *  # noqa: F403
from .database import *  # noqa: F403
from .files import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
