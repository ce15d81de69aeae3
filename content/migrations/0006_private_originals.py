"""Move Wagtail's originals and documents out of MEDIA_ROOT (content/uploads.py says why)."""

from pathlib import Path

from django.conf import settings
from django.db import migrations


def to_private(apps, schema_editor):
    from content.uploads import move_folders, private_root

    move_folders(Path(settings.MEDIA_ROOT), private_root())


def to_public(apps, schema_editor):
    from content.uploads import move_folders, private_root

    move_folders(private_root(), Path(settings.MEDIA_ROOT))


class Migration(migrations.Migration):
    dependencies = [("content", "0005_article_place_help")]

    operations = [migrations.RunPython(to_private, to_public, elidable=True)]
