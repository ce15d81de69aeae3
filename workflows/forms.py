"""Forms of the fee filing flow (Chinese labels and errors, no villager identity required)."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from places.models import Division

from . import services
from .models import FeeFiling

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


class FeeFilingForm(forms.ModelForm):
    """What the adviser files; the model's clean() checks fees, reasons and the contract."""

    village = VillageChoiceField(queryset=Division.objects.none(), label=_("村(社区)"), empty_label=None)
    files = MultipleFileField(
        label=_("证明材料"),
        help_text=_("如收费协议、经济困难证明、法律援助条件材料；PDF、图片或 Word，每个不超过 10MB。"),
    )

    class Meta:
        model = FeeFiling
        fields = [
            "village",
            "client_type",
            "client_name",
            "service_type",
            "service_date",
            "hours",
            "description",
            "basis",
            "standard_fee",
            "fee_charged",
            "reduction_reason",
            "reduction_detail",
        ]
        widgets = {
            "service_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "basis": forms.RadioSelect,
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            villages if villages is not None else Division.objects.none()
        ).select_related("parent")
        self.fields["reduction_reason"].required = False
        self.fields["service_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class CorrectionForm(FeeFilingForm):
    """The adviser's corrected filing; `action` says whether it is resubmitted or withdrawn."""

    RESUBMIT, WITHDRAW = services.RESUBMIT, services.WITHDRAW

    note = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("简要说明按审核意见做了哪些修改。"),
    )
    remove_files = forms.ModelMultipleChoiceField(
        label=_("删除已上传的附件"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_files"].queryset = self.instance.attachments.all() if self.instance.pk else None
        if not self.instance.pk or not self.instance.attachments.exists():
            del self.fields["remove_files"]

    def full_clean(self):
        # Withdrawing needs no valid filing: only the note is kept.
        if self.data.get("action") == self.WITHDRAW:
            self.cleaned_data = {"note": (self.data.get("note") or "")[:500]}
            self._errors = forms.utils.ErrorDict()
            return
        super().full_clean()


class ReviewForm(forms.Form):
    """The county bureau's decision; every decision but approval needs a reason."""

    APPROVE, RETURN, REJECT, REFER = services.APPROVE, services.RETURN, services.REJECT, services.REFER
    DECISIONS = [
        (APPROVE, _("通过备案")),
        (RETURN, _("退回修改")),
        (REJECT, _("不予备案")),
        (REFER, _("转法律援助")),
    ]

    decision = forms.ChoiceField(label=_("审核意见"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回、不予备案或转法律援助时必填，顾问和村(居)委会可以看到。"),
    )

    def __init__(self, *args, filing: FeeFiling | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filing = filing

    def clean(self):
        """The rules are the service's (`services.check_decision`), so code is held to them too."""
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if not decision:
            return cleaned
        if self.filing is None:
            reason = (cleaned.get("reason") or "").strip()
            if decision != self.APPROVE and not reason:
                self.add_error("reason", _("请填写理由。"))
            cleaned["reason"] = reason
            return cleaned
        try:
            cleaned["reason"] = services.check_decision(self.filing, decision, cleaned.get("reason") or "")
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                raise
        return cleaned
