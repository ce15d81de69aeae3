"""Form fields every back-office app uses: several files in one input, a village choice.

Domain-free (the platform layer): the ledger's and the flows' forms import them from here.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from places.models import Division

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
ATTACHMENT_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".doc", ".docx", ".xls", ".xlsx", ".txt"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked for type and size."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("一次最多上传 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS})
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            if upload is None:
                continue
            if PurePath(upload.name).suffix.lower() not in ATTACHMENT_EXTENSIONS:
                raise ValidationError(
                    _("不支持的文件类型：%(name)s。请上传 PDF、图片、Word、Excel 或文本文件。")
                    % {"name": upload.name}
                )
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise ValidationError(_("文件 %(name)s 超过 10MB。") % {"name": upload.name})
            cleaned.append(upload)
        return cleaned


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        parent = obj.parent.name if obj.parent_id and obj.parent else ""
        return f"{parent} {obj.name}".strip()
