from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from quotes.interchange.csv_export import write_quotes_csv
from quotes.interchange.output import open_output


class Command(BaseCommand):
    help = (
        "Export every quote as one CSV row (the columns of docs/interchange.md: key, link to "
        "its page, speaker, role, organization, country, said, language, kind, text, "
        "translations, context, topics, sources with excerpts, status, corrections), UTF-8 "
        "with a byte order mark so that spreadsheet programs open it correctly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            help="Where to write; - (the default) is standard output.",
        )
        parser.add_argument(
            "--site-url",
            default=settings.ONRECORD_SITE_URL,
            help="The reader site's address, for the links to each quote's page "
            "(default: ONRECORD_SITE_URL, %(default)s).",
        )

    def handle(self, *args, **options) -> None:
        with open_output(options["file"], options.get("stdout"), newline="") as out:
            write_quotes_csv(out, site_url=options["site_url"].rstrip("/"))
