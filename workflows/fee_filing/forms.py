"""Forms of the fee filing flow (Chinese labels and errors, no villager identity required)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.fields import MultipleFileField, VillageChoiceField
from places.models import Division

from . import services
from .models import FeeFiling


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

    # The choices are the flow's declared decisions (`FeeFilingFlow.decisions["review"]`).
    decision = forms.ChoiceField(label=_("审核意见"), choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回、不予备案或转法律援助时必填，顾问和村(居)委会可以看到。"),
    )

    def __init__(self, *args, filing: FeeFiling | None = None, **kwargs):
        from .flow import FeeFilingFlow

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = FeeFilingFlow.decision_choices("review")
        self.filing = filing

    def clean(self):
        """The rules are the service's (`services.check_decision`), so code is held to them too."""
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if not decision:
            return cleaned
        try:
            if self.filing is None:
                from .flow import FeeFilingFlow

                _decision, cleaned["reason"] = FeeFilingFlow.check_decision(
                    "review", decision, cleaned.get("reason") or ""
                )
                return cleaned
            cleaned["reason"] = services.check_decision(self.filing, decision, cleaned.get("reason") or "")
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                raise
        return cleaned
