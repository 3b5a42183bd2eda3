from django.core.management.base import BaseCommand, CommandParser

from quotes.interchange.output import open_output
from quotes.interchange.popolo import popolo_json


class Command(BaseCommand):
    help = (
        "Export the speakers (persons), organizations, affiliations (memberships) and "
        "countries (areas) as one Popolo JSON document, as /api/v1/popolo.json serves it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            help="Where to write; - (the default) is standard output.",
        )

    def handle(self, *args, **options) -> None:
        with open_output(options["file"], options.get("stdout"), newline="\n") as out:
            for piece in popolo_json():
                out.write(piece)
