import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from quotes import services
from quotes.history import command_context
from quotes.permissions import may


class Command(BaseCommand):
    help = (
        "Create an editor account (or make an existing user an editor): staff status for the "
        "admin, membership of the Editors group (and of Reviewers with --reviewer), and an "
        "API token, printed on the last line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The editor's user name.")
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="Make the user a reviewer too, who may also publish, retract, merge and "
            "verify citations. Without it, a reviewer goes back to being an editor only.",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the admin password from the first line of standard input (for scripts "
            "and deployments without a terminal), checked by the password validators.",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        username = options["username"].strip()
        reviewer = options["reviewer"]
        User = get_user_model()
        try:
            User._meta.get_field(User.USERNAME_FIELD).run_validators(username)
        except ValidationError as error:
            problems = " ".join(error.messages)
            raise CommandError(f"{username!r} is not a valid user name: {problems}") from error
        before = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        password = self.read_password(username) if options["password_stdin"] else None
        was_reviewer = bool(before and may(before, "publish"))
        with command_context("create_editor"):
            user = services.user_make_editor(
                username=username, reviewer=reviewer, password=password
            )
        token, _ = Token.objects.get_or_create(user=user)
        role = "reviewer" if reviewer else "editor"
        if before is None:
            self.stdout.write(f"Created the {role} {username}.")
        elif was_reviewer and not reviewer:
            self.stdout.write(f"{username} is an editor, no longer a reviewer.")
        else:
            self.stdout.write(f"{username} is a {role}.")
        if password:
            self.stdout.write(f"The password of {username} was set.")
        elif not user.has_usable_password():
            self.stdout.write(f"Set a password for the admin with: {password_hint(username)}")
        self.stdout.write("API token (send it as the header: Authorization: Token <token>):")
        self.stdout.write(token.key)

    def read_password(self, username: str) -> str:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(
                "--password-stdin: standard input has no password on its first line."
            )
        try:
            validate_password(password, get_user_model()(username=username))
        except ValidationError as error:
            raise CommandError("The password was refused: " + " ".join(error.messages)) from error
        return password


def password_hint(username: str) -> str:
    """A command that sets the password, runnable as printed from any directory."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    return shlex.join([sys.executable, str(manage), "changepassword", username])
