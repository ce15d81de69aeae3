"""Uploaded images and documents: no location data in what is kept, no originals on public paths.

**Metadata.** A phone photo of a village notice board or of an adviser carries EXIF: GPS
position, time, camera serial. Every image saved through a model (admin upload, multiple upload,
choosers, the demo loader, the shell) loses its EXIF, XMP, IPTC, comments and PNG text chunks
before the original is written, in a `pre_save` handler on Wagtail's image model and on the
admin's avatar, not in a form, so no entry point is missed. The EXIF orientation is applied to
the pixels first, so a portrait stays upright; the format stays what it was (JPEG with the
original quantisation tables, PNG and WebP lossless or at their quality, animated GIF and WebP
frame by frame); the ICC colour profile is kept. Renditions are made by Willow from the cleaned
original, so they carry nothing either.

**Originals are private.** Behind the documented proxy (`location /media/ { alias …/media/; }`)
anything under MEDIA_ROOT is public, including `original_images/` (full-size, as uploaded) and
`documents/` (which Wagtail serves through its own view, with its privacy checks).
`PublicRenditionsStorage`, the project's default storage, keeps those two folders under
PRIVATE_MEDIA_ROOT instead (never served by the web server) and everything else — the renditions
under `images/`, avatars — under MEDIA_ROOT at MEDIA_URL. A code-level guarantee: no proxy
rule is needed, and a private file has no public address to leak (`url()` refuses).
Migration content/0006 moves files an older installation kept under MEDIA_ROOT.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models.signals import pre_save
from django.utils._os import safe_join
from PIL import Image, ImageOps, JpegImagePlugin

logger = logging.getLogger(__name__)

# Folders of the default storage that are never served: Wagtail's originals and documents.
PRIVATE_FOLDERS = ("original_images", "documents")

# What may stay in an image's info when it is written again: nothing that says who, where, when.
KEPT_INFO = ("icc_profile", "transparency", "dpi", "duration", "loop", "background", "disposal")
METADATA_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "Raw profile type exif")


def is_private_name(name: str) -> bool:
    first = Path(str(name).replace("\\", "/").lstrip("/")).parts[:1]
    return bool(first) and first[0] in PRIVATE_FOLDERS


def private_root() -> Path:
    return Path(getattr(settings, "PRIVATE_MEDIA_ROOT", None) or Path(settings.MEDIA_ROOT).parent / "private")


class PublicRenditionsStorage(FileSystemStorage):
    """MEDIA_ROOT for renditions and the rest; PRIVATE_MEDIA_ROOT for originals and documents."""

    @property
    def private_location(self) -> str:
        # Not cached: the storage instance lives as long as the process, and PRIVATE_MEDIA_ROOT
        # may change under it (override_settings); resolving a path is cheap.
        return str(private_root().resolve())

    def path(self, name: str) -> str:
        if is_private_name(name):
            return safe_join(self.private_location, name)
        return super().path(name)

    def _save(self, name: str, content) -> str:
        # FileSystemStorage stats its own location (for the group id) even for a private file.
        os.makedirs(self.location, exist_ok=True)
        saved = super()._save(name, content)
        if not is_private_name(name):
            return saved
        # FileSystemStorage names the file relative to MEDIA_ROOT; name it relative to its own root.
        full_path = os.path.normpath(os.path.join(self.location, saved))
        return os.path.relpath(full_path, self.private_location).replace(os.sep, "/")

    def url(self, name: str | None) -> str:
        if name and is_private_name(name):
            raise NotImplementedError(f"{name!r} is kept private: it has no public address")
        return super().url(name)


# --- metadata -----------------------------------------------------------------------------------


def _has_metadata(image: Image.Image) -> bool:
    if any(key in image.info for key in METADATA_INFO):
        return True
    if getattr(image, "text", None):  # PNG tEXt/iTXt/zTXt chunks
        return True
    try:
        return len(image.getexif()) > 0
    except (OSError, ValueError, SyntaxError):
        return True  # unreadable EXIF: rewrite the file rather than keep it


def clean_image_bytes(data: bytes) -> bytes | None:
    """The image without metadata (orientation applied), same format; None when already clean."""
    with Image.open(io.BytesIO(data)) as original:
        if not _has_metadata(original):
            return None
        image_format = original.format
        if image_format == "MPO":
            # Phones' "JPEG" with extra frames (depth map, preview): keep the photo, as a JPEG.
            image_format = "JPEG"
        options: dict = {k: original.info[k] for k in KEPT_INFO if k in original.info}
        if image_format == "JPEG":
            # The original's quantisation: no visible loss from writing it again.
            options["qtables"] = original.quantization
            options["subsampling"] = JpegImagePlugin.get_sampling(original)
            options["progressive"] = bool(original.info.get("progressive"))
        elif image_format == "WEBP":
            options["lossless"] = bool(original.info.get("lossless"))
            options["quality"] = 90
        if image_format != "JPEG" and getattr(original, "n_frames", 1) > 1:
            # An animation: keep every frame as it is (orientation tags on animations are rare).
            cleaned = original
            options["save_all"] = True
        else:
            original.load()
            cleaned = ImageOps.exif_transpose(original)
        cleaned.info = {}
        buffer = io.BytesIO()
        cleaned.save(buffer, format=image_format, **options)
        return buffer.getvalue()


def strip_field_file(instance, attname: str) -> bool:
    """Replace an uncommitted upload in `instance.<attname>` by its cleaned bytes; True if changed."""
    field_file = getattr(instance, attname, None)
    if not field_file or getattr(field_file, "_committed", True):
        return False
    field_file.open("rb")
    try:
        field_file.seek(0)
        data = field_file.read()
    finally:
        field_file.seek(0)
    try:
        cleaned = clean_image_bytes(data)
    except (OSError, ValueError, SyntaxError) as exc:
        # Not an image Pillow can read: Wagtail's own validation has refused it already.
        logger.warning("uploads: cannot read %s to remove its metadata (%s)", attname, exc.__class__.__name__)
        return False
    if cleaned is None:
        return False
    name = Path(field_file.name).name
    # Assigning a new file makes Django's ImageField recompute width and height (a rotated
    # portrait swaps them).
    setattr(instance, attname, ContentFile(cleaned, name=name))
    logger.info(
        "uploads: removed metadata from %s (%d → %d bytes)", type(instance).__name__, len(data), len(cleaned)
    )
    return True


def strip_image_metadata(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save for Wagtail images: clean the original before it is written."""
    if raw:
        return
    if strip_field_file(instance, "file") and hasattr(instance, "_set_image_file_metadata"):
        instance._set_image_file_metadata()  # file size and hash of what is actually kept


def strip_avatar_metadata(sender, instance, raw: bool = False, **kwargs) -> None:
    """pre_save for the admin's profile pictures, which are served publicly under /media/."""
    if not raw:
        strip_field_file(instance, "avatar")


def connect() -> None:
    from wagtail.images import get_image_model
    from wagtail.users.models import UserProfile

    pre_save.connect(strip_image_metadata, sender=get_image_model(), dispatch_uid="uploads_strip_image")
    pre_save.connect(strip_avatar_metadata, sender=UserProfile, dispatch_uid="uploads_strip_avatar")


# --- moving an older installation's files -------------------------------------------------------


def move_folders(source: Path, target: Path) -> int:
    """Move the private folders' files from `source` to `target`; a file already there stays.

    Used by migration content/0006 (MEDIA_ROOT → PRIVATE_MEDIA_ROOT, and back when reversed).
    Returns how many files moved.
    """
    moved = 0
    for folder in PRIVATE_FOLDERS:
        root = source / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            destination = target / path.relative_to(source)
            if destination.exists():
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, destination)  # a rename on one file system, else copy and delete
            moved += 1
    if moved:
        logger.info("uploads: moved %d files from %s to %s", moved, source, target)
    return moved
