"""`manage.py restore ARCHIVE`: restore an archive of `manage.py backup` into this installation.

Into an empty database (create it, do not migrate it) and empty media roots; a database with
tables or a root with files is refused unless `--overwrite` is given. Afterwards run
`manage.py migrate` (when the code is newer than the archive) and `manage.py search_rebuild`
when Elasticsearch is configured (its index is not in the archive).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty media directories."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="empty a database that has tables and overwrite files in the media roots",
        )

    def handle(self, *args, archive: Path, overwrite: bool, **options) -> None:
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file.")
        try:
            result = backup.restore(archive, overwrite=overwrite)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        files = ", ".join(f"{prefix} {count} files" for prefix, count in result.files.items())
        self.stdout.write(f"restored {archive} into {result.database} ({files})")
        if result.unknown_migrations:
            self.stderr.write(
                "The archive's database has migrations this code does not know (it is newer): "
                + ", ".join(result.unknown_migrations[:10])
                + ". Deploy the code version the backup was made with."
            )
        self.stdout.write("Next: manage.py migrate; with Elasticsearch, manage.py search_rebuild.")
