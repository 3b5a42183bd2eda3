import functools
import getpass

import pghistory
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core.management.base import BaseCommand

# Commands that change the schema or run the migrations (prepare_demo_site does). pghistory's
# context turns every statement into a parameterised one, which would misread the "%" in
# migrations' raw SQL. The records they write are attributed by the commands they call.
SCHEMA_COMMANDS = {
    "migrate",
    "makemigrations",
    "squashmigrations",
    "sqlmigrate",
    "flush",
    "prepare_demo_site",
}


def _record_command_in_history(execute):
    """Attribute the changes a management command makes to it in the history.

    Requests get their user from pghistory's middleware; commands (``manage.py`` or
    ``call_command``, including ``shell``) have no request, so they are named instead.
    """

    @functools.wraps(execute)
    def wrapper(self, *args, **options):
        command = self.__module__.rsplit(".", 1)[-1]
        if command in SCHEMA_COMMANDS:
            return execute(self, *args, **options)
        with pghistory.context(command=command, system_user=_system_user()):
            return execute(self, *args, **options)

    wrapper.records_history = True
    return wrapper


def _system_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return None


class QuotesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quotes"
    verbose_name = "OnRecord"

    def ready(self) -> None:
        # Django has no hook around management commands; wrapping execute() once covers
        # every command, ours and Django's.
        if not getattr(BaseCommand.execute, "records_history", False):
            BaseCommand.execute = _record_command_in_history(BaseCommand.execute)


class OnRecordAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with OnRecord's admin site (quotes/admin_site.py)."""

    default = False  # QuotesConfig stays the quotes app's configuration
    default_site = "quotes.admin_site.OnRecordAdminSite"
