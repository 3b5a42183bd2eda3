from django.core.management.base import BaseCommand, CommandParser

from quotes.interchange import RECORD_TYPES
from quotes.interchange.exporter import export_lines
from quotes.interchange.output import open_output


class Command(BaseCommand):
    help = (
        "Export the database (or one type of record) in the OnRecord interchange format "
        "(docs/interchange.md), in dependency order: organizations, speakers, sources, quotes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            help="Where to write; - (the default) is standard output.",
        )
        parser.add_argument(
            "--type", choices=RECORD_TYPES, dest="record_type", help="Export only this type."
        )

    def handle(self, *args, **options) -> None:
        types = [options["record_type"]] if options["record_type"] else RECORD_TYPES
        with open_output(options["file"], options.get("stdout"), newline="\n") as out:
            out.writelines(export_lines(types))
