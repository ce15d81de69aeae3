"""Backups: the database, the public media and the private media root in one timestamped archive.

Why hand-written rather than django-dbbackup: dbbackup writes the database and the media as
separate files, knows only Django storages (the private root, `PORTAL_PRIVATE_MEDIA_ROOT`, which
holds villagers' attachments and Wagtail's originals, is not one), and restores over whatever
is there. Here one archive is the unit an operator copies off the machine, and a restore
refuses a database or media root that is not empty unless told to overwrite it.

The archive (`portal-backup-<UTC time>.tar`, a plain POSIX tar, mode 0600) holds:

- `manifest.json`: format version, creation time, database vendor, applied migrations and the
  number and size of files of each root;
- `database.pgdump`: `pg_dump --format=custom --no-owner --no-privileges` (PostgreSQL's own
  compressed, documented archive format, read by `pg_restore`; restorable by any role into an
  empty database), or `database.sqlite3`: a consistent copy made with SQLite's online backup
  API. The database cache table's rows are left out (the schema stays);
- `media/…` and `private/…`: the files of MEDIA_ROOT and PRIVATE_MEDIA_ROOT (regular files only;
  symbolic links are skipped).

The database is dumped first and the files copied after, so that every file a record of the
dump names is in the archive (a file uploaded meanwhile is an extra, harmless one). The
Elasticsearch index is not backed up: it is rebuilt from the database (`search_rebuild`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.db import connection

logger = logging.getLogger("operations.backup")

FORMAT = 1
PREFIX = "portal-backup-"
NAME_RE = re.compile(r"^portal-backup-(\d{8}T\d{6}(?:\d{6})?Z)\.tar$")
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
ROOTS = ("media", "private")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    database_bytes: int
    files: dict[str, int]
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    database: str
    files: dict[str, int]
    unknown_migrations: list[str]


def roots() -> dict[str, Path]:
    """The media roots that go into an archive, by member prefix."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


# --- backup --------------------------------------------------------------------------------------


def create(directory: Path | None = None, keep: int | None = None) -> BackupResult:
    """Write a new archive into `directory` (PORTAL_BACKUP_DIR); then keep the newest `keep`."""
    directory = Path(directory or settings.PORTAL_BACKUP_DIR)
    keep = settings.PORTAL_BACKUP_KEEP if keep is None else keep
    if keep < 0:
        raise BackupError("--keep must be 0 (keep every archive) or more.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = dt.datetime.now(dt.UTC)
    name = f"{PREFIX}{now:%Y%m%dT%H%M%SZ}.tar"
    if (directory / name).exists():
        name = f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}.tar"
    final = directory / name
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        work_dir = Path(work)
        member, dump = _dump_database(work_dir)
        files = {prefix: _count_files(root) for prefix, root in roots().items()}
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(),
            "vendor": connection.vendor,
            "database": member,
            "migrations": _applied_migrations(),
            "files": {prefix: {"count": c, "bytes": b} for prefix, (c, b) in files.items()},
        }
        partial = work_dir / "archive.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dump, arcname=member, recursive=False)
            for prefix, root in roots().items():
                if root.is_dir():
                    tar.add(root, arcname=prefix, filter=_regular_files_only)
        os.chmod(partial, 0o600)
        # Appears under its final name only when complete: a crash leaves no half archive.
        os.replace(partial, final)
    pruned = prune(directory, keep)
    result = BackupResult(
        path=final,
        database_bytes=dump_size(final, member),
        files={prefix: count for prefix, (count, _) in files.items()},
        pruned=pruned,
    )
    logger.info(
        "backup: %s written (database %d bytes, %s); %d old archives removed",
        final,
        result.database_bytes,
        ", ".join(f"{p} {n} files" for p, n in result.files.items()),
        len(pruned),
    )
    return result


def dump_size(archive: Path, member: str) -> int:
    with tarfile.open(archive) as tar:
        return tar.getmember(member).size


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives of this naming scheme (0 keeps all)."""
    if keep <= 0:
        return []
    archives = sorted((p for p in Path(directory).iterdir() if NAME_RE.match(p.name)), key=lambda p: p.name)
    old = archives[:-keep]
    for path in old:
        path.unlink()
    return old


def _dump_database(work_dir: Path) -> tuple[str, Path]:
    if connection.vendor == "postgresql":
        target = work_dir / PG_MEMBER
        args = [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            *(f"--exclude-table-data={table}" for table in _cache_tables()),
        ]
        _run(args, "pg_dump")
        return PG_MEMBER, target
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # SQLite's backup API would wait forever for this connection's own write lock.
            raise BackupError("Cannot back up SQLite from inside a transaction.")
        target = work_dir / SQLITE_MEMBER
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            existing = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table in _cache_tables():
                if table in existing:
                    copy.execute(f'DELETE FROM "{table}"')  # noqa: S608 -- a table name from settings
            copy.commit()
        finally:
            copy.close()
        return SQLITE_MEMBER, target
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def _applied_migrations() -> list[str]:
    if "django_migrations" not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _cache_tables() -> list[str]:
    return [
        str(conf["LOCATION"])
        for conf in settings.CACHES.values()
        if conf.get("BACKEND") == "django.core.cache.backends.db.DatabaseCache"
    ]


def _count_files(root: Path) -> tuple[int, int]:
    count = size = 0
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                count += 1
                size += path.stat().st_size
    return count, size


def _regular_files_only(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if not (info.isfile() or info.isdir()):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


# --- restore -------------------------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.load(member) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a readable backup archive ({exc.__class__.__name__}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a backup of format {FORMAT}.")
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def nonempty_roots() -> list[str]:
    return [str(root) for root in roots().values() if root.is_dir() and any(root.iterdir())]


def restore(archive: Path, overwrite: bool = False) -> RestoreResult:
    """Restore an archive into this installation's database and media roots.

    Refuses, changing nothing, when the database has tables or a media root has files, unless
    `overwrite`: then the database is emptied first (every table and sequence of its schema
    dropped) and the archive's files replace those of the same name (others are left alone).
    """
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"The archive holds a {manifest.get('vendor')} database; this installation uses "
            f"{connection.vendor}. Restore it with DATABASE_URL pointing at a {manifest.get('vendor')} database."
        )
    busy = []
    if not database_is_empty():
        busy.append(f"the database {connection.settings_dict['NAME']} has tables")
    busy.extend(f"{root} has files" for root in nonempty_roots())
    if busy and not overwrite:
        raise BackupError(
            "Not restoring: " + "; ".join(busy) + ". Restore into an empty database and empty media "
            "directories, or pass --overwrite to replace what is there."
        )
    member = manifest.get("database")
    if member not in (PG_MEMBER, SQLITE_MEMBER):
        raise BackupError(f"{archive}: unknown database member {member!r}.")
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        with tarfile.open(archive) as tar:
            dump = Path(work) / member
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"{archive} has no {member}.")
            with dump.open("wb") as out:
                shutil.copyfileobj(source, out)
            if member == PG_MEMBER:
                _restore_postgresql(dump, empty_first=not database_is_empty())
            else:
                _restore_sqlite(dump)
            files = _restore_files(tar)
    _clear_caches()
    unknown = _unknown_migrations(manifest.get("migrations", []))
    logger.info(
        "restore: %s restored into %s (%s)",
        archive,
        connection.settings_dict["NAME"],
        ", ".join(f"{p} {n} files" for p, n in files.items()),
    )
    return RestoreResult(
        database=str(connection.settings_dict["NAME"]), files=files, unknown_migrations=unknown
    )


def _restore_postgresql(dump: Path, empty_first: bool) -> None:
    if empty_first:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "pg_restore",
    )


def _restore_sqlite(dump: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        connection.ensure_connection()
        # The online backup API replaces the whole destination database, page by page, and
        # keeps its journal (WAL) consistent, unlike copying the file over it.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_files(tar: tarfile.TarFile) -> dict[str, int]:
    counts = dict.fromkeys(ROOTS, 0)
    targets = roots()
    for info in tar:
        path = PurePosixPath(info.name)
        if not path.parts or path.parts[0] not in ROOTS or len(path.parts) < 2:
            continue
        if path.is_absolute() or ".." in path.parts or not (info.isfile() or info.isdir()):
            raise BackupError(f"Refusing the archive member {info.name!r}: not a plain file inside a root.")
        target = targets[path.parts[0]].joinpath(*path.parts[1:])
        if info.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(info)
        if source is None:
            continue
        with target.open("wb") as out:
            shutil.copyfileobj(source, out)
        os.utime(target, (info.mtime, info.mtime))
        counts[path.parts[0]] += 1
    return counts


def _clear_caches() -> None:
    """Cached pages and fragments describe the database as it was: drop them."""
    for alias in settings.CACHES:
        try:
            caches[alias].clear()
        except Exception:  # a cache that cannot be reached holds nothing to serve either
            logger.warning("restore: the %s cache could not be cleared; clear it by hand", alias)


def _unknown_migrations(applied: list[str]) -> list[str]:
    """Migrations the archive's database has that this code does not know (a newer backup)."""
    from django.db.migrations.loader import MigrationLoader

    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    return sorted(m for m in applied if m not in known)


# --- PostgreSQL client tools ---------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: PORTAL_PG_BIN_DIR, the server's version, PATH, newest."""
    configured = getattr(settings, "PORTAL_PG_BIN_DIR", "")
    if configured:
        path = Path(configured) / name
        if not path.is_file():
            raise BackupError(f"PORTAL_PG_BIN_DIR={configured} has no {name}.")
        return str(path)
    connection.ensure_connection()
    major = connection.pg_version // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True))
    for path in candidates:
        if path.is_file():
            return str(path)
    raise BackupError(
        f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client-{major}) "
        "or set PORTAL_PG_BIN_DIR to their directory."
    )


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (the password never on a command line)."""
    s = connection.settings_dict
    env = dict(os.environ)
    values = {
        "PGDATABASE": s.get("NAME"),
        "PGUSER": s.get("USER"),
        "PGPASSWORD": s.get("PASSWORD"),
        "PGHOST": s.get("HOST"),
        "PGPORT": s.get("PORT"),
    }
    options = s.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        values[f"PG{option.upper()}"] = options.get(option)
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(args: list[str], what: str) -> None:
    try:
        done = subprocess.run(  # noqa: S603 -- PostgreSQL's own tools, arguments built here
            args, env=_pg_env(), capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{what} could not be started: {exc}") from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
