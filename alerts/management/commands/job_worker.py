"""The background jobs' worker as gunicorn's configuration runs it (project/gunicorn_conf.py)."""

from __future__ import annotations

import logging
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from procrastinate.exceptions import ConnectorException

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run Procrastinate's worker; when the database stops answering, stop with one log line "
        "(no traceback), so that the supervisor starts it again once the database is back."
    )

    def handle(self, *args, **options) -> None:
        try:
            call_command("procrastinate", "worker")
        except ConnectorException as error:
            cause = error.__cause__ or error
            log.warning("The job worker lost the database (%s); it stops.", str(cause).strip())
            sys.exit(1)
