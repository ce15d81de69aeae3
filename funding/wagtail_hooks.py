"""The funding app in the back office: its own menu (经费保障), the funding page, the payment,
budget and rule listings (scoped, with every change in the audit trail)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.ui.tables import Column

from backoffice.viewsets import ScopedCreateView, ScopedModelViewSet

from .models import CountyBudget, CountyFundingRule, Payment
from .views import VIEW_PERMISSION

FUNDING_MENU_HOOK = "register_funding_menu_item"


@hooks.register("register_admin_urls")
def register_funding_urls():
    return [path("funding/", include("funding.urls"))]


@hooks.register("register_admin_menu_item")
def register_funding_menu():
    return SubmenuMenuItem(
        _("经费保障"),
        Menu(register_hook_name=FUNDING_MENU_HOOK),
        name="funding",
        icon_name="doc-full",
        order=160,
    )


class FundingPageMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


@hooks.register(FUNDING_MENU_HOOK)
def register_funding_page_menu_item():
    return FundingPageMenuItem(
        _("经费概览"), reverse("funding_page"), name="funding-page", icon_name="view", order=10
    )


class PaymentCreateView(ScopedCreateView):
    """Who recorded the payment is the account that saved the form."""

    def form_valid(self, form):
        form.instance.recorded_by = self.request.user
        return super().form_valid(form)


class PaymentViewSet(ScopedModelViewSet):
    model = Payment
    icon = "doc-full"
    menu_label = _("服务费支付")
    menu_order = 20
    menu_hook = FUNDING_MENU_HOOK
    add_view_class = PaymentCreateView
    list_select_related = ("contract__village", "contract__adviser__firm")
    search_fields = ["voucher_no", "contract__village__name", "contract__adviser__name"]
    search_backend_name = None
    list_filter = ["year"]
    list_display = [
        Column("village", label=_("村(社区)"), accessor="contract.village.name"),
        Column("adviser", label=_("法律顾问"), accessor="contract.adviser.name"),
        Column("year", label=_("年度"), sort_key="year"),
        Column("amount", label=_("支付金额（元）"), sort_key="amount"),
        Column("paid_on", label=_("支付日期"), sort_key="paid_on"),
        "voucher_no",
    ]
    list_export = [
        "contract.village.name",
        "contract.village_id",
        "contract.adviser.name",
        "contract.adviser.firm.name",
        "year",
        "standard",
        "reward",
        "withheld",
        "amount",
        "paid_on",
        "voucher_no",
        "note",
    ]
    export_headings = {
        "contract.village.name": _("村(社区)"),
        "contract.village_id": _("代码"),
        "contract.adviser.name": _("法律顾问"),
        "contract.adviser.firm.name": _("律师事务所/法律服务所"),
        "year": _("年度"),
        "standard": _("当年应付服务费（元）"),
        "reward": _("奖励（元）"),
        "withheld": _("扣减（元）"),
        "amount": _("支付金额（元）"),
        "paid_on": _("支付日期"),
        "voucher_no": _("凭证号"),
        "note": _("备注"),
    }
    panels = [
        FieldPanel("contract"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("amount")]),
        FieldRowPanel([FieldPanel("paid_on"), FieldPanel("voucher_no")]),
        FieldPanel("note"),
    ]


class BudgetViewSet(ScopedModelViewSet):
    model = CountyBudget
    icon = "doc-full"
    menu_label = _("年度经费预算")
    menu_order = 30
    menu_hook = FUNDING_MENU_HOOK
    list_select_related = ("county",)
    list_display = [
        Column("county", label=_("县(市、区)"), accessor="county.name"),
        Column("year", label=_("年度"), sort_key="year"),
        "budget",
        "regional_subsidy_per_village",
    ]
    panels = [
        FieldPanel("county"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("budget"), FieldPanel("regional_subsidy_per_village")]),
        FieldPanel("note"),
    ]


class RuleViewSet(ScopedModelViewSet):
    model = CountyFundingRule
    icon = "cog"
    menu_label = _("经费扣减规则")
    menu_order = 40
    menu_hook = FUNDING_MENU_HOOK
    list_select_related = ("county",)
    list_display = [
        Column("county", label=_("县(市、区)"), accessor="county.name"),
        "withheld_percent_failed",
        "note",
    ]
    panels = [FieldPanel("county"), FieldPanel("withheld_percent_failed"), FieldPanel("note")]


@hooks.register("register_admin_viewset")
def register_funding_viewsets():
    return [
        PaymentViewSet("funding_payments"),
        BudgetViewSet("funding_budgets"),
        RuleViewSet("funding_rules"),
    ]


@hooks.register("register_log_actions")
def register_funding_log_model(actions):
    """Payments, budgets and rules log into the programme's scoped audit log."""
    from backoffice.models import ProgrammeLogEntry

    for model in (Payment, CountyBudget, CountyFundingRule):
        actions.register_model(model, ProgrammeLogEntry)
