import sys
from contextlib import nullcontext
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from quotes import services
from quotes.actors import SystemActor
from quotes.history import command_context


class Command(BaseCommand):
    help = (
        "Import organizations, speakers, sources and quotes from an NDJSON file in the OnRecord "
        "interchange format (docs/interchange.md). Every line is checked first; if any is bad, "
        "every error is printed with its line number and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The NDJSON file, or - for standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and count what would change, without writing anything.",
        )
        parser.add_argument(
            "--allow-similar",
            action="store_true",
            help="Import new quotes although quotes on record have a similar text: the "
            "similar-text check is skipped, which a bulk load of new quotes needs (without "
            'it, each similar quote is an error; a record can also say "allow_similar": true).',
        )
        parser.add_argument(
            "--user",
            help="User name recorded as the author of the changes and in the history; the "
            "user needs the permissions to add, change and publish quotes. Without it the "
            "command acts as itself (a system actor, named in the history).",
        )

    def handle(self, *args, **options) -> None:
        path = options["file"]
        user = self.user(options["user"])
        with self.open_input(path) as stream, command_context("import_records", user=user):
            report = services.records_import(
                lines_or_stream=stream,
                dry_run=options["dry_run"],
                user=user,
                label="<stdin>" if path == "-" else Path(path).name,
                progress=self.progress_bar if sys.stderr.isatty() else None,
                allow_similar=options["allow_similar"],
            )
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            for line in report.error_summary():
                self.stderr.write(line)
            count = len(report.errors) + report.errors_not_listed
            where = "standard input" if path == "-" else path
            raise CommandError(
                f"{'at least ' if report.stopped_at is not None else ''}{count:,} "
                f"error{'s' if count != 1 else ''} in {where}: nothing was imported."
            )
        self.print_counts(report)

    @staticmethod
    def open_input(path: str):
        if path == "-":
            return nullcontext(sys.stdin.buffer)
        try:
            return Path(path).open("rb")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error

    @staticmethod
    def user(username: str | None):
        """The user named with --user; without it, the command acts as itself."""
        if not username:
            return SystemActor("import_records")
        User = get_user_model()
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f'No user named "{username}".') from error

    @staticmethod
    def progress_bar(description: str, total: int) -> tqdm:
        return tqdm(total=total, desc=description, unit="B", unit_scale=True, leave=False)

    def print_counts(self, report) -> None:
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written. The import would give:")
        for kind, counts in report.counts.items():
            self.stdout.write(
                f"{kind + 's':<14}{counts.created:>9} created{counts.updated:>9} updated"
                f"{counts.unchanged:>9} unchanged"
            )
        if report.topics_created:
            self.stdout.write(f"{'new topics':<14}{report.topics_created:>9}")
        if not report.dry_run:
            self.stdout.write(self.style.SUCCESS(f"Imported {report.lines} lines."))
