"""`manage.py backup` and `manage.py restore`: a real database and real files, restored elsewhere.

The suite's database (PostgreSQL in CI; SQLite locally unless DATABASE_URL is set) gets real
records — an adviser under contract, a user, a Wagtail image with its rendition — and files in
both media roots. `backup` writes the archive; `restore`, run as a separate `manage.py` process
pointed at a brand-new empty database and empty media directories, must bring back every row
of every table and every file byte for byte. A second restore into the now non-empty database
is refused and changes nothing; `--overwrite` replaces it.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image
from wagtail.images.models import Image as WagtailImage
from wagtail.models import Collection

from advisers.models import Adviser
from operations import backup
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory
from tests.processes import database_url, manage_env, run


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def tree(root: Path) -> dict[str, str]:
    """Every file under root with its SHA-256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 -- names from introspection
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def roots(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def records(divisions, make_contract, roots):
    media, private = roots
    if Collection.get_first_root_node() is None:  # a transactional test flushed the migrations' rows
        Collection.add_root(name="Root")
    adviser = AdviserFactory(name="备份顾问", bio="擅长土地承包纠纷。")
    make_contract(adviser, BUZHAI)
    get_user_model().objects.create_user("backup_officer", password="Backup-Test-2026")
    image = WagtailImage.objects.create(title="驻点照片", file=ImageFile(io.BytesIO(png()), name="duty.png"))
    image.get_rendition("width-40")
    (private / "ledger").mkdir(parents=True, exist_ok=True)
    (private / "ledger" / "签到表.pdf").write_bytes(b"%PDF-1.4 sign-in sheet\n")
    return {"adviser": adviser, "image": image}


@pytest.fixture
def empty_target(tmp_path):
    """A brand-new empty database of the suite's kind, and the environment pointing at it."""
    var = tmp_path / "restored-var"
    env = manage_env(PORTAL_VAR_DIR=str(var), PORTAL_PRIVATE_MEDIA_ROOT=str(tmp_path / "restored-private"))
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            database_url("postgres").replace("postgres://", "postgresql://"), autocommit=True
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = database_url(name)
        try:
            yield {"env": env, "var": var, "private": tmp_path / "restored-private", "pg": name}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
    else:
        env.pop("DATABASE_URL")
        yield {
            "env": env,
            "var": var,
            "private": tmp_path / "restored-private",
            "sqlite": var / "portal.sqlite3",
        }


def target_cursor(target):
    if "pg" in target:
        conn = psycopg.connect(target["env"]["DATABASE_URL"].replace("postgres://", "postgresql://"))
    else:
        conn = sqlite3.connect(target["sqlite"])
    return conn, conn.cursor()


@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump sees it
def test_backup_then_restore_into_an_empty_database(records, roots, empty_target, tmp_path):
    media, private = roots
    out = io.StringIO()
    call_command("backup", dir=tmp_path / "backups", stdout=out)
    archives = list((tmp_path / "backups").iterdir())
    assert len(archives) == 1 and backup.NAME_RE.match(archives[0].name)
    archive = archives[0]
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] == "manifest.json"
    assert any(n.startswith("media/images/") for n in names)  # the rendition
    assert any(n.startswith("private/original_images/") for n in names)  # the original
    assert "private/ledger/签到表.pdf" in names

    tables = sorted(t for t in connection.introspection.table_names() if t != "portal_cache")
    with connection.cursor() as cursor:
        expected = row_counts(cursor, tables)
    assert expected["advisers_adviser"] == 1 and expected["wagtailimages_rendition"] == 1

    done = run("restore", str(archive), env=empty_target["env"])
    assert done.returncode == 0, done.stderr[-3000:]
    assert "restored" in done.stdout

    conn, cursor = target_cursor(empty_target)
    try:
        assert row_counts(cursor, tables) == expected
        cursor.execute("SELECT name, bio FROM advisers_adviser")
        assert cursor.fetchall() == [("备份顾问", "擅长土地承包纠纷。")]
        cursor.execute("SELECT village_id FROM advisers_servicecontract")
        assert cursor.fetchall() == [(BUZHAI,)]
        cursor.execute("SELECT file FROM wagtailimages_image")
        (image_file,) = cursor.fetchone()
    finally:
        conn.close()
    assert tree(empty_target["var"] / "media") == tree(media)
    assert tree(empty_target["private"]) == tree(private)
    assert (empty_target["private"] / image_file).is_file()

    # A second restore into the now non-empty database is refused and changes nothing.
    again = run("restore", str(archive), env=empty_target["env"])
    assert again.returncode != 0 and "Not restoring" in again.stderr and "--overwrite" in again.stderr
    # With --overwrite it replaces what is there.
    forced = run("restore", str(archive), "--overwrite", env=empty_target["env"])
    assert forced.returncode == 0, forced.stderr[-3000:]
    conn, cursor = target_cursor(empty_target)
    try:
        assert row_counts(cursor, tables) == expected
    finally:
        conn.close()


def manifest_only(path: Path) -> Path:
    """An archive with a manifest of this database's kind and nothing else."""
    with tarfile.open(path, "w") as tar:
        manifest = (
            b'{"format": 1, "vendor": "%s", "database": "database.sqlite3"}' % connection.vendor.encode()
        )
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    return path


def test_restore_refuses_a_database_with_tables(divisions, roots, tmp_path):
    archive = manifest_only(tmp_path / "portal-backup-20260101T010000Z.tar")
    AdviserFactory(name="备份之后的顾问")
    with pytest.raises(CommandError, match="Not restoring: the database .* has tables"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # Nothing was touched.
    assert Adviser.objects.filter(name="备份之后的顾问").exists()


def test_prune_keeps_the_newest_archives(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20260101T010000Z", "20260102T010000Z", "20260103T010000Z", "20260104T010000123456Z"):
        (folder / f"portal-backup-{stamp}.tar").write_bytes(b"")
    (folder / "notes.txt").write_text("kept: not an archive")
    removed = backup.prune(folder, keep=2)
    assert sorted(p.name for p in removed) == [
        "portal-backup-20260101T010000Z.tar",
        "portal-backup-20260102T010000Z.tar",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt",
        "portal-backup-20260103T010000Z.tar",
        "portal-backup-20260104T010000123456Z.tar",
    ]
    assert backup.prune(folder, keep=0) == []


def test_bad_archives_and_options_are_refused_with_a_message(db, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(junk))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar"))
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    wrong = tmp_path / "wrong.tar"
    with tarfile.open(wrong, "w") as tar:
        manifest = b'{"format": 1, "vendor": "%s", "database": "database.pgdump"}' % other.encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(CommandError, match=f"holds a {other} database"):
        call_command("restore", str(wrong))
    with pytest.raises(CommandError, match="must be 0"):
        call_command("backup", dir=tmp_path, keep=-1)
