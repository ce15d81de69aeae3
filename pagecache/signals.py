"""Changes the platform itself knows about: Wagtail sites (host names, root pages) and images."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .core import bump

# Wagtail fills these in lazily on first use; that changes nothing a page shows.
BOOKKEEPING_FIELDS = {"file_size", "file_hash"}


def site_changed(sender, instance, **kwargs) -> None:
    bump("sites", f"site:{instance.pk}")


def image_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    bump("images")


def connect() -> None:
    from wagtail.images import get_image_model
    from wagtail.models import Site

    uid = "pagecache"
    post_save.connect(site_changed, sender=Site, dispatch_uid=f"{uid}_site_save")
    post_delete.connect(site_changed, sender=Site, dispatch_uid=f"{uid}_site_delete")
    image = get_image_model()
    post_save.connect(image_changed, sender=image, dispatch_uid=f"{uid}_image_save")
    post_delete.connect(image_changed, sender=image, dispatch_uid=f"{uid}_image_delete")
