from django.core.management.base import BaseCommand, CommandError, CommandParser

from dumps import services


class Command(BaseCommand):
    help = (
        "Write a dump of the public record (NDJSON, CSV, Popolo JSON, gzip-compressed, with "
        "a manifest) under ONRECORD_DUMPS_DIR, keeping the newest ONRECORD_DUMPS_KEEP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-none", action="store_true", help="Do nothing when a dump exists already."
        )

    def handle(self, *args, **options) -> None:
        if options["if_none"] and services.dump_versions():
            self.stdout.write(f"A dump exists already: {services.dump_versions()[0]}.")
            return
        try:
            manifest = services.dump_create()
        except services.DumpExists as error:
            raise CommandError(str(error)) from error
        where = services.dumps_dir() / manifest["version"]
        self.stdout.write(f"Dump {manifest['version']} written to {where}:")
        for entry in manifest["files"]:
            self.stdout.write(f"  {entry['name']}  {entry['size']} bytes  sha256 {entry['sha256']}")
