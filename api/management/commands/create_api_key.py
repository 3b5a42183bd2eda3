from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import ClientKey, validate_rate


class Command(BaseCommand):
    help = (
        "Create a client key for read access to the API, with its own rate limit if given; "
        "the key is printed on the last line, and only then: it is stored hashed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Who the key is for, such as a newsroom's tool.")
        parser.add_argument(
            "--rate",
            default="",
            help='Requests allowed, such as "5000/hour" (default: ONRECORD_RATE_CLIENT).',
        )

    def handle(self, *args, **options) -> None:
        name, rate = options["name"].strip(), options["rate"].strip()
        if not name or "\x00" in name or len(name) > 50:
            raise CommandError("Give the key a name of 1 to 50 characters.")
        if rate:
            try:
                validate_rate(rate)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        client_key, key = ClientKey.objects.create_key(name=name, rate=rate)
        limit = rate or "ONRECORD_RATE_CLIENT"
        self.stdout.write(f"Created client key {client_key.prefix} for {name} ({limit}).")
        self.stdout.write("Clients send it as: Authorization: Api-Key KEY. The key:")
        self.stdout.write(key)
