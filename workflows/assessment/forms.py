"""Forms of the assessment steps: one score field per indicator of the step, plus the step's own fields.

The rules are the services' (`services.clean_scores`, `check_questionnaires`, `check_recommendation`),
so a form and code are held to the same ones; the forms only turn their errors into field errors.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.fields import MultipleFileField

from . import services
from .models import Assessment, Grade, Indicator, IndicatorTable, Recommendation, Scorer


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ScoresForm(forms.Form):
    """Base: a score per indicator (and "不适用" for optional ones)."""

    def __init__(self, *args, indicators: list[Indicator] = (), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        initial_scores = initial_scores or {}
        for indicator in self.indicators:
            self.fields[f"score_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.max_points}分）",
                required=False,
                min_value=0,
                max_value=indicator.max_points,
                decimal_places=1,
                help_text=indicator.rule,
                initial=initial_scores.get(indicator.pk),
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
            if indicator.optional:
                self.fields[f"na_{indicator.pk}"] = forms.BooleanField(label=_("不适用"), required=False)

    def score_values(self) -> tuple[dict[int, object], list[int]]:
        values = {i.pk: self.cleaned_data.get(f"score_{i.pk}") for i in self.indicators}
        na = [i.pk for i in self.indicators if self.cleaned_data.get(f"na_{i.pk}")]
        return values, na

    def check_scores(self) -> None:
        values, na = self.score_values()
        try:
            services.clean_scores(self.indicators, values, na)
        except ValidationError as exc:
            add_errors(self, exc)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.check_scores()
        return cleaned


class SelfReportForm(ScoresForm):
    summary = forms.CharField(
        label=_("年度述职"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("本年度驻点、讲座、调解、法律意见等工作情况。请勿填写群众的身份证号、电话等个人信息。"),
    )
    files = MultipleFileField(
        label=_("佐证材料"), help_text=_("签到表、照片、工作记录等；PDF、图片或 Word，每个不超过 10MB。")
    )


class CommitteeForm(ScoresForm):
    opinion = forms.CharField(
        label=_("村(居)委会意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    questionnaires = forms.IntegerField(label=_("收回测评问卷（份）"), min_value=0, max_value=10000)
    satisfied = forms.IntegerField(label=_("满意"), min_value=0, max_value=10000)
    basically = forms.IntegerField(label=_("基本满意"), min_value=0, max_value=10000)
    not_satisfied = forms.IntegerField(label=_("不满意"), min_value=0, max_value=10000)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.check_questionnaires(
                    cleaned.get("questionnaires"),
                    cleaned.get("satisfied"),
                    cleaned.get("basically"),
                    cleaned.get("not_satisfied"),
                )
            except ValidationError as exc:
                add_errors(self, exc)
        return cleaned


class TownshipForm(ScoresForm):
    opinion = forms.CharField(
        label=_("司法所初评意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class BureauForm(ScoresForm):
    opinion = forms.CharField(
        label=_("评定意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommendation = forms.ChoiceField(
        label=_("处理意见"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    reward_amount = forms.DecimalField(
        label=_("奖励金额（元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    improvement_items = forms.CharField(
        label=_("整改事项"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    improvement_deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    no_renewal_reasons = forms.CharField(
        label=_("不再续聘的理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, assessment: Assessment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.fields["improvement_deadline"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.grade = ""

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.assessment is None:
            return cleaned
        values, na = self.score_values()
        clean = services.clean_scores(self.indicators, values, na)
        computed = services.computed_scores(self.assessment)
        pending = dict(clean)
        pending.update({pk: (None if c.not_applicable else c.points) for pk, c in computed.items()})
        try:
            points, maximum = services.totals(self.assessment, pending)
        except ValidationError as exc:
            add_errors(self, exc)
            return cleaned
        percent = points / maximum * 100 if maximum else 0
        self.grade = self.assessment.campaign.table.grade_for(percent)
        try:
            services.check_recommendation(
                self.grade,
                cleaned.get("recommendation"),
                reward_amount=cleaned.get("reward_amount"),
                improvement_items=cleaned.get("improvement_items") or "",
                improvement_deadline=cleaned.get("improvement_deadline"),
                no_renewal_reasons=cleaned.get("no_renewal_reasons") or "",
            )
        except ValidationError as exc:
            add_errors(self, exc)
        return cleaned

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else ""


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(label=_("我已收到整改通知，将在期限内完成整改"))


class LaunchForm(forms.Form):
    counties = forms.MultipleChoiceField(label=_("县(市、区)"), widget=forms.CheckboxSelectMultiple)
    year = forms.IntegerField(label=_("考评年度"), min_value=2017, max_value=2100)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counties"].choices = [(c.code, c.name) for c in counties]
        if len(self.fields["counties"].choices) == 1:
            self.fields["counties"].initial = [self.fields["counties"].choices[0][0]]
        self.fields["year"].initial = timezone.localdate().year


class PublishForm(forms.Form):
    publication_days = forms.IntegerField(label=_("公示期（工作日）"), min_value=1, max_value=30, initial=5)


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TableForm(forms.ModelForm):
    """A table's grade bands and questionnaire minimum (the model's clean() checks the bands)."""

    class Meta:
        model = IndicatorTable
        fields = ["title", "excellent_min", "qualified_min", "basic_min", "min_questionnaires"]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "max_points", "scorer", "rule", "evidence", "optional", "sort_order"]
        widgets = {"rule": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.instance.key:
            # A county's own indicator: any scorer but the ledger (whose indicators are computed).
            self.fields["scorer"].choices = [
                c for c in self.fields["scorer"].choices if c[0] != Scorer.LEDGER
            ]


def indicator_formset(table, data=None):
    factory = inlineformset_factory(
        IndicatorTable, Indicator, form=IndicatorForm, extra=1, can_delete=True, max_num=40
    )
    return factory(data, instance=table, prefix="indicators")
