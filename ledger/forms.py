"""Forms of the work ledger: an adviser's entry, a committee's dispute, a bureau's training."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisers.models import Adviser
from backoffice.fields import MultipleFileField, VillageChoiceField
from places.models import Division

from .models import LedgerEntry, Training

MANUAL_KINDS = [
    (value, label) for value, label in LedgerEntry.Kind.choices if value != LedgerEntry.Kind.LECTURE
]


class EntryForm(forms.ModelForm):
    """One piece of work; the model's clean() checks the date and the contract on that day."""

    village = VillageChoiceField(queryset=Division.objects.none(), label=_("村(社区)"), empty_label=None)
    kind = forms.ChoiceField(
        label=_("工作类型"),
        choices=MANUAL_KINDS,
        help_text=_("法制讲座请在“法制讲座”中登记举办情况，系统会自动记入台账。"),
    )
    files = MultipleFileField(
        label=_("附件"), help_text=_("如签到表、现场照片、文书草稿；PDF、图片或 Word，每个不超过 10MB。")
    )

    class Meta:
        model = LedgerEntry
        fields = ["village", "date", "kind", "on_site", "hours", "people_served", "summary"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "12"}),
        }

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            villages if villages is not None else Division.objects.none()
        ).select_related("parent")
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if self.instance.pk and self.instance.kind == LedgerEntry.Kind.LECTURE:
            self.fields["kind"].choices = LedgerEntry.Kind.choices


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：当天顾问未到村，或时长与实际不符。顾问可以看到并修改后重新提交确认。"),
    )


class AdviserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Adviser) -> str:
        return f"{obj.name}（{obj.firm.name}）" if obj.firm_id else obj.name


class TrainingForm(forms.ModelForm):
    """A training and who attended; the advisers offered are those serving in the bureau's area."""

    organiser = forms.ModelChoiceField(
        queryset=Division.objects.none(), label=_("举办单位所在地"), empty_label=None
    )
    attendees = AdviserChoiceField(
        queryset=Adviser.objects.none(),
        label=_("参训顾问"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选实际参加培训的法律顾问。"),
    )

    class Meta:
        model = Training
        fields = ["title", "date", "hours", "place", "organiser"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, organisers=None, advisers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers if organisers is not None else Division.objects.none()
        self.fields["attendees"].queryset = (
            advisers if advisers is not None else Adviser.objects.none()
        ).select_related("firm")
        if self.instance.pk:
            self.fields["attendees"].initial = list(self.instance.attendees.values_list("pk", flat=True))

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            # Attendance can only be recorded for a training that took place.
            raise forms.ValidationError(_("只能登记已经举办的培训。"))
        return date
