"""`manage.py backup`: the database and both media roots into one timestamped archive.

What the archive holds and why it is built this way: operations/backup.py. Run it from cron or
the `portal-backup.timer` unit (deploy/), and copy the archives off the machine.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = "Back up the database, MEDIA_ROOT and PORTAL_PRIVATE_MEDIA_ROOT into one archive."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, help="where to write the archive (default PORTAL_BACKUP_DIR)")
        parser.add_argument(
            "--keep",
            type=int,
            help="keep only the newest N archives in that directory (default PORTAL_BACKUP_KEEP; 0 keeps all)",
        )

    def handle(self, *args, dir: Path | None, keep: int | None, **options) -> None:
        try:
            result = backup.create(dir, keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        files = ", ".join(f"{prefix} {count} files" for prefix, count in result.files.items())
        self.stdout.write(f"{result.path} (database {result.database_bytes} bytes; {files})")
        for path in result.pruned:
            self.stdout.write(f"removed old archive {path}")
