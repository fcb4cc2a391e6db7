#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    # The task worker, the scheduler, migrations and every other command get the long
    # database timeouts (DB_WORKER_*, newsroom/settings.py); the development server
    # answers web requests and keeps the short ones.
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("DB_WORKER_TIMEOUTS", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
