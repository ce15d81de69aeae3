"""Forms of the renewal flow: the committee's opinion, the bureau's decision, the allocation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from advisers.models import Adviser, ServiceContract

from . import checks
from .models import Renewal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpinionForm(forms.Form):
    agrees = forms.TypedChoiceField(
        label=_("是否同意续聘"),
        choices=[("yes", _("同意续聘")), ("no", _("不同意续聘"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("意见和理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写意见和理由。")},
        help_text=_("如：顾问按时驻点、讲座受欢迎；或：驻点时间不足、群众反映联系不上。"),
    )


class ContractTermsMixin(forms.Form):
    """The new contract's period and fee; defaults from the old contract and the county standard."""

    start_date = forms.DateField(label=_("新合同开始日期"), widget=DATE, required=False)
    end_date = forms.DateField(label=_("新合同结束日期"), widget=DATE, required=False)
    annual_fee = forms.DecimalField(
        label=_("年度服务费（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("不得低于本县标准（每村每年不低于3000元）。"),
    )

    def set_defaults(self, contract: ServiceContract) -> None:
        start, end = checks.default_period(contract)
        self.fields["start_date"].initial = start
        self.fields["end_date"].initial = end
        self.fields["annual_fee"].initial = checks.default_fee(contract)

    def require_terms(self) -> None:
        for name in ("start_date", "end_date", "annual_fee"):
            if self.cleaned_data.get(name) in (None, ""):
                self.add_error(name, _("请填写。"))


class DecisionForm(ContractTermsMixin):
    decision = forms.ChoiceField(label=_("决定"), choices=Renewal.Decision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("决定理由"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不再续聘时必填，村(居)委会和顾问可以看到。"),
    )
    copy_schedule = forms.BooleanField(label=_("沿用原驻点时间"), required=False, initial=True)
    field_order = ["decision", "reasons", "start_date", "end_date", "annual_fee", "copy_schedule"]

    def __init__(self, *args, renewal: Renewal, **kwargs):
        super().__init__(*args, **kwargs)
        self.renewal = renewal
        self.set_defaults(renewal.contract)
        if not renewal.may_renew:
            self.fields["decision"].choices = [
                (Renewal.Decision.NOT_RENEW.value, Renewal.Decision.NOT_RENEW.label)
            ]
            self.fields["decision"].help_text = _("规则核查未通过，不能续聘，请另行选配顾问。")

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == Renewal.Decision.RENEW:
            self.require_terms()
        elif decision == Renewal.Decision.NOT_RENEW and not (cleaned.get("reasons") or "").strip():
            self.add_error("reasons", _("不再续聘须说明理由。"))
        return cleaned


class AdviserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Adviser) -> str:
        return f"{obj.name}（{obj.firm.name}）"


class ReallocationForm(ContractTermsMixin):
    adviser = AdviserChoiceField(label=_("新的法律顾问"), queryset=Adviser.objects.none())
    selection = forms.ChoiceField(
        label=_("选聘方式"), choices=ServiceContract.Selection.choices, widget=forms.RadioSelect
    )
    committee_agreed = forms.BooleanField(label=_("村(居)委会同意聘请该顾问"), required=False)
    firm_agreed = forms.BooleanField(label=_("律师事务所/法律服务所同意"), required=False)
    copy_schedule = forms.BooleanField(label=_("沿用原驻点时间"), required=False, initial=False)
    note = forms.CharField(
        label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = [
        "adviser",
        "selection",
        "committee_agreed",
        "firm_agreed",
        "start_date",
        "end_date",
        "annual_fee",
        "copy_schedule",
        "note",
    ]

    def __init__(self, *args, renewal: Renewal, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.renewal = renewal
        self.set_defaults(renewal.contract)
        self.fields["adviser"].queryset = advisers.exclude(pk=renewal.contract.adviser_id).select_related(
            "firm"
        )

    def clean(self):
        cleaned = super().clean()
        self.require_terms()
        return cleaned
