import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from search.indexer import ensure as ensure_index

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, load the demo data, build the search index if it is "
        "missing and make sure an administrator account exists; print how to log in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000", help="The port the site will be served on.")

    def handle(self, *args, **options) -> None:
        port = options["port"]
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        ensure_index()
        password = self.ensure_admin()
        self.stdout.write(
            f"\nOnRecord is starting at http://127.0.0.1:{port}/\n"
            f"Admin: http://127.0.0.1:{port}/admin/  user: {ADMIN_USERNAME}  "
            f"password: {password}\n"
            f"(The password is kept in {self.password_file()}.)\n"
        )

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
