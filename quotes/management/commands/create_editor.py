from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from api.permissions import EDITORS_GROUP


class Command(BaseCommand):
    help = (
        "Create an editor account (or make an existing user an editor): staff status for the "
        "admin, membership of the Editors group, and an API token, printed on the last line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The editor's user name.")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        username = options["username"].strip()
        User = get_user_model()
        try:
            User._meta.get_field(User.USERNAME_FIELD).run_validators(username)
        except ValidationError as error:
            problems = " ".join(error.messages)
            raise CommandError(f"{username!r} is not a valid user name: {problems}") from error
        user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: username})
        if created:
            user.set_unusable_password()
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        token, _ = Token.objects.get_or_create(user=user)
        if created:
            self.stdout.write(f"Created the editor {username}.")
            self.stdout.write(
                f"Set a password for the admin with: python manage.py changepassword {username}"
            )
        else:
            self.stdout.write(f"{username} is an editor.")
        self.stdout.write("API token (send it as the header: Authorization: Token <token>):")
        self.stdout.write(token.key)
