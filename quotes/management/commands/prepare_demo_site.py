import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.executor import MigrationExecutor

from search.indexer import catch_up

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, load the demo data, build the search index if it is "
        "missing, write a public dump if there is none and make sure an administrator "
        "account exists; print how to log in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000", help="The port the site will be served on.")

    def handle(self, *args, **options) -> None:
        port = options["port"]
        steps: list[tuple[str, Callable[[], None]]] = [
            ("Database", self.database),
            ("Migrations", self.migrate),
            ("Static files", lambda: call_command("collectstatic", interactive=False, verbosity=0)),
            ("Demo statements", lambda: call_command("load_demo", stdout=self.stdout)),
            ("Search index", catch_up),  # built, rebuilt or brought up to date
            (
                "Public dump",
                lambda: call_command("dump_public", if_none=True, stdout=self.stdout),
            ),
        ]
        started = time.monotonic()
        for number, (name, step) in enumerate(steps, start=1):
            self.stdout.write(f"[{number}/{len(steps)}] {name}…")
            self.stdout.flush()
            began = time.monotonic()
            step()
            self.stdout.write(f"      {name}: done in {time.monotonic() - began:.1f} s")
        self.stdout.write(f"Prepared in {time.monotonic() - started:.1f} s.")
        password = self.ensure_admin()
        self.stdout.write(
            f"\nOnRecord is starting at http://127.0.0.1:{port}/\n"
            f"Admin: http://127.0.0.1:{port}/admin/  user: {ADMIN_USERNAME}  "
            f"password: {password}\n"
            f"(The password is kept in {self.password_file()}.)\n"
        )

    def database(self) -> None:
        """Connect (the embedded server, when no DATABASE_URL is set, started with settings)."""
        connection.ensure_connection()
        where = settings.DATABASES[DEFAULT_DB_ALIAS]
        self.stdout.write(
            f"      PostgreSQL {where.get('HOST') or 'local'}:{where.get('PORT')}, "
            f"database {where['NAME']}"
        )

    def migrate(self) -> None:
        """Apply the migrations not yet applied, one line each."""
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        self.stdout.write(f"      {len(pending)} to apply")
        call_command("migrate", verbosity=1 if pending else 0, stdout=self.stdout._out)

    def password_file(self):
        return settings.DATA_DIR / "admin-password"

    def ensure_admin(self) -> str:
        path = self.password_file()
        if not path.exists():
            path.write_text(secrets.token_urlsafe(12) + "\n", encoding="utf-8")
            path.chmod(0o600)
        password = path.read_text(encoding="utf-8").strip()
        User = get_user_model()
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user is None:
            User.objects.create_superuser(ADMIN_USERNAME, password=password)
        elif not user.check_password(password):
            self.stdout.write(
                f"The account '{ADMIN_USERNAME}' exists with another password; "
                "use `python manage.py changepassword admin` to reset it."
            )
        return password
