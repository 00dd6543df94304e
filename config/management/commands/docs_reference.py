from django.core.management.base import BaseCommand, CommandError

from config.reference import GENERATED, stale_files, write_files


class Command(BaseCommand):
    """Writes the generated references of docs/reference/ (the data model, the rule catalogue);
    with `--check`, writes nothing and fails when a committed one is stale (`make check`)."""

    help = "Write docs/reference/ from the code, or with --check fail when it is stale."
    # Reads the app registry and source files only: no database, and no reason to run the
    # system checks first (`make check` runs those with production settings).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero naming each generated file that is stale.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            stale = stale_files()
            if stale:
                raise CommandError(
                    f"Stale generated docs: {', '.join(stale)}. Run `make docs` and commit them."
                )
            self.stdout.write(f"Generated docs up to date: {', '.join(GENERATED)}.")
            return
        changed = write_files()
        self.stdout.write(f"Wrote {', '.join(changed)}." if changed else "Nothing changed.")
