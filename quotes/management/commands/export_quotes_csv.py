from django.core.management.base import BaseCommand, CommandParser

from quotes.interchange.csv_export import write_quotes_csv
from quotes.interchange.output import open_output


class Command(BaseCommand):
    help = (
        "Export every quote as one CSV row (key, speaker, role, organization, country, said, "
        "language, kind, text, English translation, first source's title and URL, status), "
        "UTF-8 with a byte order mark so that spreadsheet programs open it correctly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            help="Where to write; - (the default) is standard output.",
        )

    def handle(self, *args, **options) -> None:
        with open_output(options["file"], options.get("stdout"), newline="") as out:
            write_quotes_csv(out)
