from django.contrib.auth import get_user_model
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
        was_reviewer = bool(before and may(before, "publish"))
        with command_context("create_editor"):
            user = services.user_make_editor(username=username, reviewer=reviewer)
        token, _ = Token.objects.get_or_create(user=user)
        role = "reviewer" if reviewer else "editor"
        if before is None:
            self.stdout.write(f"Created the {role} {username}.")
            self.stdout.write(
                f"Set a password for the admin with: python manage.py changepassword {username}"
            )
        elif was_reviewer and not reviewer:
            self.stdout.write(f"{username} is an editor, no longer a reviewer.")
        else:
            self.stdout.write(f"{username} is a {role}.")
        self.stdout.write("API token (send it as the header: Authorization: Token <token>):")
        self.stdout.write(token.key)
