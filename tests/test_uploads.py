"""Uploaded images keep no EXIF (GPS), stay upright, keep their format; originals are private.

The images are made with Pillow in the tests, with a GPS position and an orientation tag as a
phone writes them, and go through the real model, storage and admin upload views.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageOps, PngImagePlugin
from wagtail.documents.models import Document
from wagtail.images.models import Image as WagtailImage

from content import uploads
from tests.factories import AdviserFactory

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (22.0, 24.0, 36.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (107.0, 21.0, 0.0),
}
ROTATE_90_CW = 6  # EXIF orientation: the camera was held upright, the sensor wrote it sideways


def phone_photo(fmt: str = "JPEG", size=(60, 40), orientation: int | None = ROTATE_90_CW) -> bytes:
    """A left-red, right-blue picture with GPS, camera and orientation tags."""
    picture = Image.new("RGB", size, "red")
    picture.paste(Image.new("RGB", (size[0] // 2, size[1]), "blue"), (size[0] // 2, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.DateTime] = "2026:11:30 10:00:00"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    options: dict = {"exif": exif}
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "拍摄于卜寨村委会")
        options["pnginfo"] = info
    if fmt == "JPEG":
        options["quality"] = 95
    picture.save(buffer, fmt, **options)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the test's own premise: there is GPS to strip
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def stored(image) -> Image.Image:
    with default_storage.open(image.file.name, "rb") as fh:
        picture = Image.open(io.BytesIO(fh.read()))
        picture.load()
    return picture


def assert_clean(picture: Image.Image) -> None:
    exif = picture.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert len(exif) == 0, dict(exif)
    assert "exif" not in picture.info
    assert not getattr(picture, "text", {})


@pytest.mark.django_db
def test_a_jpeg_loses_gps_and_stays_upright_and_a_jpeg():
    data = phone_photo("JPEG")
    image = WagtailImage.objects.create(
        title="驻点照片", file=ImageFile(io.BytesIO(data), name="IMG_0001.jpg")
    )

    picture = stored(image)
    assert picture.format == "JPEG"
    assert_clean(picture)
    # The orientation is applied to the pixels: a 60×40 sensor image shown as 40×60.
    assert picture.size == (40, 60) and (image.width, image.height) == (40, 60)
    with Image.open(io.BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original).convert("RGB")
    for point in [(5, 5), (35, 5), (5, 55), (35, 55)]:
        got, want = picture.convert("RGB").getpixel(point), upright.getpixel(point)
        assert all(abs(a - b) < 40 for a, b in zip(got, want, strict=True)), (point, got, want)
    assert image.file_size == default_storage.size(image.file.name)
    assert image.file.name.startswith("original_images/") and image.file.name.endswith(".jpg")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_metadata_and_keep_their_format(fmt):
    image = WagtailImage.objects.create(
        title="照片", file=ImageFile(io.BytesIO(phone_photo(fmt, orientation=None)), name=f"x.{fmt.lower()}")
    )
    picture = stored(image)
    assert picture.format == fmt
    assert_clean(picture)
    assert picture.size == (60, 40)
    assert picture.convert("RGB").getpixel((5, 5))[0] > 200  # still red on the left


@pytest.mark.django_db
def test_a_clean_image_is_written_as_it_came():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, "PNG")
    image = WagtailImage.objects.create(
        title="干净", file=ImageFile(io.BytesIO(buffer.getvalue()), name="c.png")
    )
    with default_storage.open(image.file.name, "rb") as fh:
        assert fh.read() == buffer.getvalue()


@pytest.mark.django_db
def test_admin_uploads_single_and_multiple_are_stripped(client):
    admin = get_user_model().objects.create_superuser("uploader", "u@example.org", "x-Very-long-pass-1")
    client.force_login(admin)

    response = client.post(
        "/admin/images/multiple/add/",
        {"files[]": SimpleUploadedFile("phone.jpg", phone_photo(), content_type="image/jpeg")},
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["success"] is True
    multiple = WagtailImage.objects.get(pk=response.json()["image_id"])
    assert_clean(stored(multiple))
    assert (multiple.width, multiple.height) == (40, 60)

    response = client.post(
        "/admin/images/add/",
        {
            "title": "单张上传",
            "file": SimpleUploadedFile("single.jpg", phone_photo(), content_type="image/jpeg"),
            "collection": "1",
            "tags": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    single = WagtailImage.objects.get(title="单张上传")
    assert_clean(stored(single))


@pytest.mark.django_db
def test_an_advisers_photo_is_a_stripped_wagtail_image(divisions):
    photo = WagtailImage.objects.create(
        title="顾问照片", file=ImageFile(io.BytesIO(phone_photo()), name="p.jpg")
    )
    adviser = AdviserFactory(photo=photo)
    assert_clean(stored(adviser.photo))


@pytest.mark.django_db
def test_originals_and_documents_are_private_renditions_public(client):
    image = WagtailImage.objects.create(title="原图", file=ImageFile(io.BytesIO(phone_photo()), name="o.jpg"))
    private, public = Path(settings.PRIVATE_MEDIA_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()

    original = Path(image.file.path).resolve()
    assert original.is_relative_to(private / "original_images")
    assert not original.is_relative_to(public)
    with pytest.raises(NotImplementedError):
        image.file.url  # noqa: B018 -- the property is what is tested

    rendition = image.get_rendition("width-20")
    assert Path(rendition.file.path).resolve().is_relative_to(public / "images")
    assert rendition.url.startswith(settings.MEDIA_URL + "images/")
    assert_clean(Image.open(rendition.file.path))

    document = Document.objects.create(
        title="合同范本", file=ContentFile(b"%PDF-1.4 test", name="contract.pdf")
    )
    assert Path(document.file.path).resolve().is_relative_to(private / "documents")
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_older_files_move_out_of_the_public_media_folder(tmp_path):
    media, private = tmp_path / "media", tmp_path / "private"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "a.jpg").write_bytes(b"a")
    (media / "documents").mkdir()
    (media / "documents" / "d.pdf").write_bytes(b"d")
    (media / "images").mkdir()
    (media / "images" / "a.width-400.jpg").write_bytes(b"r")

    assert uploads.move_folders(media, private) == 2
    assert (private / "original_images" / "a.jpg").read_bytes() == b"a"
    assert (private / "documents" / "d.pdf").read_bytes() == b"d"
    assert not (media / "original_images" / "a.jpg").exists()
    assert (media / "images" / "a.width-400.jpg").exists()  # renditions stay public
    assert uploads.move_folders(media, private) == 0  # idempotent


def test_private_names_are_only_the_two_folders():
    assert uploads.is_private_name("original_images/x.jpg")
    assert uploads.is_private_name("documents/y.pdf")
    assert not uploads.is_private_name("images/x.width-400.jpg")
    assert not uploads.is_private_name("avatar_images/a.png")
    assert not uploads.is_private_name("original_images_backup/x.jpg")


def test_a_phones_multi_picture_jpeg_keeps_its_photo_upright_and_an_animation_its_frames():
    photo, depth = Image.new("RGB", (60, 40), "red"), Image.new("RGB", (60, 40), "blue")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = ROTATE_90_CW
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    photo.save(buffer, "MPO", save_all=True, append_images=[depth], exif=exif)
    cleaned = Image.open(io.BytesIO(uploads.clean_image_bytes(buffer.getvalue())))
    assert cleaned.format == "JPEG" and cleaned.size == (40, 60)
    assert_clean(cleaned)

    frames = [Image.new("RGB", (10, 10), c) for c in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], comment="卜寨".encode(), loop=0)
    cleaned = Image.open(io.BytesIO(uploads.clean_image_bytes(buffer.getvalue())))
    assert cleaned.format == "GIF" and cleaned.n_frames == 3
    assert "comment" not in cleaned.info


@pytest.mark.django_db
def test_the_demo_loaders_images_are_private_and_their_renditions_public():
    """What `manage.py load_demo` saves (its article illustrations) goes through the same path."""
    from demo.content import _category_images

    images = _category_images()
    assert images
    private, public = Path(settings.PRIVATE_MEDIA_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()
    for image, _alt in images.values():
        assert Path(image.file.path).resolve().is_relative_to(private / "original_images")
        rendition = image.get_rendition("width-400|format-webp")
        assert Path(rendition.file.path).resolve().is_relative_to(public / "images")
