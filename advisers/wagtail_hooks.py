"""The programme's records in the Wagtail admin: firms, advisers, contracts, liaison officers,
service rooms, recusals and county settings, each limited to the user's scope.

Forms save through the models, so the policy's rules (advisers/rules.py) answer violations with
their Chinese messages exactly as for imports and code.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn
from wagtail.permissions import register_permission_policy

from backoffice.filters import PlaceFilterSet
from backoffice.viewsets import ScopedCreateView, ScopedIndexView, ScopedModelViewSet, ScopedPermissionPolicy
from places import codes

from . import (
    admin_search,  # noqa: F401 -- the programme's admin search area
    programme_admin,  # noqa: F401 -- dashboard, import, my-profile, villages, choosers
)
from .choosers import AdviserChooserWidget, VillageChooserWidget, advisers_with_load
from .models import (
    ENDING_WITHIN_DAYS,
    Adviser,
    CountyBureau,
    Firm,
    LiaisonOfficer,
    Recusal,
    ServiceContract,
    ServiceRoom,
)
from .rules import check_bureau_settings, county_settings

# Registered before any view asks for a policy (Wagtail would otherwise create a fallback).
for _model in (Firm, Adviser, ServiceContract, LiaisonOfficer, ServiceRoom, Recusal, CountyBureau):
    register_permission_policy(_model, ScopedPermissionPolicy(_model))

EXPIRY_WARNING_DAYS = ENDING_WITHIN_DAYS


# --- contracts ---------------------------------------------------------------------------------


def _ending_label() -> str:
    return gettext("%(days)d 天内到期、未续聘") % {"days": EXPIRY_WARNING_DAYS}


# Translated when the filter is shown (in the request's language), not when this module loads.
ending_label = lazy(_ending_label, str)


class ContractFilterSet(PlaceFilterSet):
    place_field = "village"

    period = django_filters.ChoiceFilter(
        label=_("期限"),
        method="filter_period",
        empty_label=_("全部"),
        choices=[
            ("in_force", _("生效中")),
            ("ending", ending_label()),
            ("future", _("尚未开始")),
            ("ended", _("已到期")),
        ],
    )

    class Meta:
        model = ServiceContract
        fields = ["status", "selection"]

    def filter_period(self, queryset, name, value):
        today = timezone.localdate()
        if value == "in_force":
            return queryset.in_force(today)
        if value == "ending":
            return queryset.ending_without_successor(EXPIRY_WARNING_DAYS, on=today)
        if value == "future":
            return queryset.filter(start_date__gt=today).exclude(status=ServiceContract.Status.TERMINATED)
        if value == "ended":
            return queryset.filter(end_date__lt=today)
        return queryset


def contract_state(contract: ServiceContract) -> str:
    today = timezone.localdate()
    if contract.status == ServiceContract.Status.TERMINATED and contract.terminated_on:
        if contract.terminated_on >= today:
            return _("有效至 %(date)s（已办理解除）") % {"date": contract.terminated_on.isoformat()}
        return _("已于 %(date)s 解除") % {"date": contract.terminated_on.isoformat()}
    if contract.status != ServiceContract.Status.ACTIVE:
        return contract.get_status_display()
    if contract.end_date < today:
        return _("已到期")
    if contract.start_date > today:
        return _("尚未开始")
    if contract.end_date <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return _("%(days)d 天后到期") % {"days": (contract.end_date - today).days}
    return _("生效中")


class ContractCreateView(ScopedCreateView):
    def get_initial(self):
        """Sensible defaults: signed today for a year, at the county's fee standard."""
        initial = super().get_initial()
        today = timezone.localdate()
        initial.setdefault("start_date", today)
        initial.setdefault("end_date", today.replace(year=today.year + 1) - dt.timedelta(days=1))
        initial.setdefault("signed_on", today)
        village_code = initial.get("village")
        if village_code and codes.level_of(str(village_code)) == codes.VILLAGE:
            from places.models import Division

            village = Division.objects.filter(code=village_code).first()
            if village is not None:
                initial.setdefault("annual_fee", county_settings(village)[1])
        return initial


class ContractViewSet(ScopedModelViewSet):
    model = ServiceContract
    icon = "doc-full"
    menu_label = _("聘用合同")
    menu_order = 300
    add_view_class = ContractCreateView
    list_select_related = ("village__parent__parent", "adviser__firm")
    search_fields = ["village__name", "village__code", "adviser__name", "adviser__licence_no"]
    search_backend_name = None
    filterset_class = ContractFilterSet
    list_per_page = 30
    list_display = [
        "village",
        Column("township", label=_("乡镇(街道)"), accessor="village.parent.name"),
        Column("county", label=_("县(市、区)"), accessor="village.parent.parent.name"),
        Column("adviser", label=_("法律顾问"), accessor="adviser.name", sort_key="adviser__name"),
        Column("selection", label=_("选聘方式"), accessor="get_selection_display"),
        StatusTagColumn(
            "state",
            label=_("状态"),
            accessor=contract_state,
            primary=lambda c: c.is_in_force(),
            sort_key="status",
        ),
        Column("start_date", label=_("开始日期"), sort_key="start_date"),
        Column("end_date", label=_("结束日期"), sort_key="end_date"),
        Column("annual_fee", label=_("年度服务费（元）"), sort_key="annual_fee"),
    ]
    list_export = [
        "village.code",
        "village.name",
        "village.parent.name",
        "village.parent.parent.name",
        "adviser.name",
        "adviser.licence_no",
        "adviser.firm.name",
        "get_selection_display",
        "get_status_display",
        "start_date",
        "end_date",
        "annual_fee",
        "signed_on",
        "terminated_on",
        "termination_reason",
        "note",
    ]
    export_headings = {
        "village.code": _("村(社区)代码"),
        "village.name": _("村(社区)"),
        "village.parent.name": _("乡镇(街道)"),
        "village.parent.parent.name": _("县(市、区)"),
        "adviser.name": _("法律顾问"),
        "adviser.licence_no": _("执业证号"),
        "adviser.firm.name": _("所在机构"),
        "get_selection_display": _("选聘方式"),
        "get_status_display": _("状态"),
        "start_date": _("开始日期"),
        "end_date": _("结束日期"),
        "annual_fee": _("年度服务费（元）"),
        "signed_on": _("签订日期"),
        "terminated_on": _("解除日期"),
        "termination_reason": _("解除原因"),
        "note": _("备注"),
    }
    export_filename = "contracts"
    panels = [
        FieldPanel("village", widget=VillageChooserWidget),
        FieldPanel("adviser", widget=AdviserChooserWidget),
        FieldRowPanel([FieldPanel("selection"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date"), FieldPanel("signed_on")]),
        FieldPanel("annual_fee"),
        FieldRowPanel([FieldPanel("terminated_on"), FieldPanel("termination_reason")]),
        InlinePanel("schedules", label=_("驻点时间"), heading=_("驻点服务时间（每村每月不少于 5 小时）")),
        FieldPanel("note"),
    ]


# --- advisers ----------------------------------------------------------------------------------


class AdviserFilterSet(PlaceFilterSet):
    load = django_filters.ChoiceFilter(
        label=_("服务村数"),
        method="filter_load",
        empty_label=_("全部"),
        choices=[("full", _("已满额")), ("available", _("未满额")), ("none", _("暂无服务村"))],
    )

    class Meta:
        model = Adviser
        fields = ["kind", "is_active"]

    def filter_place(self, queryset, prefix):
        """Advisers serving a village in the area, or registered with a firm there."""
        serving = ServiceContract.objects.filter(
            village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix)
        ).values("adviser_id")
        query = Q(pk__in=serving)
        if len(prefix) <= 6:
            query |= Q(firm__county_id__gte=prefix, firm__county_id__lt=codes.prefix_upper_bound(prefix))
        return queryset.filter(query)

    def filter_load(self, queryset, name, value):
        if value == "full":
            return queryset.filter(load__gte=F("cap"))
        if value == "available":
            return queryset.filter(load__lt=F("cap"), is_active=True)
        if value == "none":
            return queryset.filter(load=0)
        return queryset


class AdviserIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return advisers_with_load(self.scoped_queryset(), self.request.user)


class AdviserViewSet(ScopedModelViewSet):
    model = Adviser
    index_view_class = AdviserIndexView
    icon = "user"
    menu_label = _("法律顾问")
    menu_order = 200
    list_select_related = ("firm",)
    search_fields = ["name", "licence_no", "firm__name", "office_phone"]
    search_backend_name = None
    filterset_class = AdviserFilterSet
    list_per_page = 30
    list_display = [
        "name",
        Column("kind", label=_("身份"), accessor="get_kind_display"),
        Column("firm", label=_("所在机构"), accessor="firm.name", sort_key="firm__name"),
        Column("licence_no", label=_("执业证号")),
        Column(
            "load",
            label=_("服务村(社区)数"),
            accessor=lambda a: f"{a.load} / {a.cap}",
            sort_key="load",
        ),
        BooleanColumn("is_active", label=_("在岗")),
    ]
    list_export = [
        "name",
        "get_kind_display",
        "get_gender_display",
        "licence_no",
        "firm.name",
        "office_phone",
        "published_mobile",
        "practising_since",
        "load",
        "is_active",
    ]
    export_headings = {
        "name": _("姓名"),
        "get_kind_display": _("身份"),
        "get_gender_display": _("性别"),
        "licence_no": _("执业证号"),
        "firm.name": _("所在机构"),
        "office_phone": _("办公电话"),
        "published_mobile": _("公开手机"),
        "practising_since": _("开始执业年份"),
        "load": _("现服务村(社区)数"),
        "is_active": _("在岗"),
    }
    export_filename = "advisers"
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("name"), FieldPanel("gender"), FieldPanel("kind")]),
                FieldRowPanel([FieldPanel("licence_no"), FieldPanel("practising_since")]),
                FieldPanel("firm"),
                FieldPanel("photo"),
            ],
            heading=_("基本信息"),
        ),
        MultiFieldPanel(
            [FieldPanel("office_phone"), FieldPanel("mobile"), FieldPanel("mobile_consent")],
            heading=_("联系方式"),
        ),
        FieldPanel("specialties", widget=forms.CheckboxSelectMultiple),
        FieldPanel("bio"),
        FieldPanel("reputation"),
        FieldPanel("is_active"),
        FieldPanel("user", permission="superuser"),
    ]


# --- firms -------------------------------------------------------------------------------------


class FirmFilterSet(PlaceFilterSet):
    class Meta:
        model = Firm
        fields = ["kind"]

    def filter_place(self, queryset, prefix):
        serving = ServiceContract.objects.filter(
            village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix)
        ).values("adviser__firm_id")
        return queryset.filter(
            Q(pk__in=serving)
            | Q(county_id__gte=prefix[:6], county_id__lt=codes.prefix_upper_bound(prefix[:6]))
        )


class FirmIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return self.scoped_queryset().annotate(
            adviser_count=Count("advisers", filter=Q(advisers__is_active=True))
        )


class FirmViewSet(ScopedModelViewSet):
    model = Firm
    index_view_class = FirmIndexView
    icon = "group"
    menu_label = _("执业机构")
    menu_order = 100
    list_select_related = ("county",)
    search_fields = ["name", "licence_no", "address"]
    search_backend_name = None
    filterset_class = FirmFilterSet
    list_display = [
        "name",
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        Column("county", label=_("所在县(市、区)"), accessor="county.name"),
        Column("office_phone", label=_("办公电话")),
        Column("advisers", label=_("顾问人数"), accessor="adviser_count", sort_key="adviser_count"),
    ]
    list_export = [
        "name",
        "get_kind_display",
        "licence_no",
        "county.name",
        "address",
        "office_phone",
        "adviser_count",
    ]
    export_headings = {
        "name": _("名称"),
        "get_kind_display": _("类型"),
        "licence_no": _("执业许可证号"),
        "county.name": _("所在县(市、区)"),
        "address": _("地址"),
        "office_phone": _("办公电话"),
        "adviser_count": _("顾问人数"),
    }
    export_filename = "firms"
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("licence_no")]),
        FieldPanel("county"),
        FieldPanel("address"),
        FieldPanel("office_phone"),
    ]


# --- liaison officers and service rooms --------------------------------------------------------


class LiaisonFilterSet(PlaceFilterSet):
    class Meta:
        model = LiaisonOfficer
        fields = ["is_active"]


class LiaisonViewSet(ScopedModelViewSet):
    model = LiaisonOfficer
    icon = "user"
    menu_label = _("法律服务联络员")
    menu_order = 400
    list_select_related = ("village__parent__parent",)
    search_fields = ["name", "village__name", "village__code", "phone"]
    search_backend_name = None
    filterset_class = LiaisonFilterSet
    list_display = [
        "name",
        Column("village", label=_("村(社区)"), accessor="village.name", sort_key="village"),
        Column("township", label=_("乡镇(街道)"), accessor="village.parent.name"),
        Column("title", label=_("职务")),
        Column("phone", label=_("电话")),
        BooleanColumn("phone_consent", label=_("同意公开电话")),
        BooleanColumn("is_active", label=_("在任")),
    ]
    list_export = [
        "village.code",
        "village.name",
        "village.parent.name",
        "name",
        "title",
        "phone",
        "phone_consent",
        "is_active",
    ]
    export_headings = {
        "village.code": _("村(社区)代码"),
        "village.name": _("村(社区)"),
        "village.parent.name": _("乡镇(街道)"),
        "name": _("姓名"),
        "title": _("职务"),
        "phone": _("电话"),
        "phone_consent": _("同意公开电话"),
        "is_active": _("在任"),
    }
    export_filename = "liaison_officers"
    panels = [
        FieldPanel("village", widget=VillageChooserWidget),
        FieldRowPanel([FieldPanel("name"), FieldPanel("title")]),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("phone_consent")]),
        FieldPanel("is_active"),
        FieldPanel("user", permission="superuser"),
    ]


class RoomFilterSet(PlaceFilterSet):
    complete = django_filters.ChoiceFilter(
        label=_("“六个一”设施"),
        method="filter_complete",
        empty_label=_("全部"),
        choices=[("yes", _("四项设施齐全")), ("no", _("有缺项"))],
    )

    class Meta:
        model = ServiceRoom
        fields = []

    def filter_complete(self, queryset, name, value):
        full = Q(has_room=True, has_publicity_window=True, has_display_screen=True, has_bookshelf=True)
        if value == "yes":
            return queryset.filter(full)
        if value == "no":
            return queryset.exclude(full)
        return queryset


class RoomViewSet(ScopedModelViewSet):
    model = ServiceRoom
    icon = "home"
    menu_label = _("法律服务室")
    menu_order = 500
    list_select_related = ("village__parent__parent",)
    search_fields = ["village__name", "village__code", "name", "address"]
    search_backend_name = None
    filterset_class = RoomFilterSet
    list_display = [
        Column("village", label=_("村(社区)"), accessor="village.name", sort_key="village"),
        Column("township", label=_("乡镇(街道)"), accessor="village.parent.name"),
        "name",
        BooleanColumn("has_room", label=_("服务场所")),
        BooleanColumn("has_publicity_window", label=_("宣传窗口")),
        BooleanColumn("has_display_screen", label=_("电子显示屏")),
        BooleanColumn("has_bookshelf", label=_("法律书架")),
    ]
    list_export = [
        "village.code",
        "village.name",
        "name",
        "address",
        "opening_hours",
        "has_room",
        "has_publicity_window",
        "has_display_screen",
        "has_bookshelf",
    ]
    export_headings = {
        "village.code": _("村(社区)代码"),
        "village.name": _("村(社区)"),
        "name": _("名称"),
        "address": _("地址"),
        "opening_hours": _("开放时间"),
        "has_room": _("服务场所"),
        "has_publicity_window": _("宣传窗口"),
        "has_display_screen": _("电子显示屏"),
        "has_bookshelf": _("法律书架"),
    }
    export_filename = "service_rooms"
    panels = [
        FieldPanel("village", widget=VillageChooserWidget),
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("opening_hours"),
        MultiFieldPanel(
            [
                FieldPanel("has_room"),
                FieldPanel("has_publicity_window"),
                FieldPanel("has_display_screen"),
                FieldPanel("has_bookshelf"),
            ],
            heading=_("“六个一”设施（法律顾问和联络员由合同和联络员记录自动计入）"),
        ),
    ]


# --- recusals ----------------------------------------------------------------------------------


class RecusalFilterSet(PlaceFilterSet):
    class Meta:
        model = Recusal
        fields = ["status"]


class RecusalViewSet(ScopedModelViewSet):
    model = Recusal
    icon = "warning"
    menu_label = _("回避记录")
    menu_order = 600
    list_select_related = ("adviser", "substitute", "village__parent", "other_village")
    search_fields = ["matter", "adviser__name", "substitute__name", "village__name", "other_village__name"]
    search_backend_name = None
    filterset_class = RecusalFilterSet
    list_display = [
        "matter",
        Column("adviser", label=_("回避的法律顾问"), accessor="adviser.name"),
        Column(
            "villages",
            label=_("涉及村(社区)"),
            accessor=lambda r: "、".join(v.name for v in (r.village, r.other_village) if v is not None),
        ),
        Column(
            "substitute",
            label=_("指派的法律顾问"),
            accessor=lambda r: r.substitute.name if r.substitute else "—",
        ),
        StatusTagColumn(
            "status", label=_("状态"), accessor="get_status_display", primary=lambda r: r.status == "pending"
        ),
        Column("raised_on", label=_("发现冲突日期"), sort_key="raised_on"),
    ]
    list_export = [
        "matter",
        "adviser.name",
        "village.name",
        "other_village.name",
        "substitute.name",
        "get_status_display",
        "raised_on",
        "assigned_on",
        "reason",
    ]
    export_headings = {
        "matter": _("事项"),
        "adviser.name": _("回避的法律顾问"),
        "village.name": _("提出事项的村(社区)"),
        "other_village.name": _("对方村(社区)"),
        "substitute.name": _("指派的法律顾问"),
        "get_status_display": _("状态"),
        "raised_on": _("发现冲突日期"),
        "assigned_on": _("指派日期"),
        "reason": _("利益冲突情形"),
    }
    export_filename = "recusals"
    panels = [
        FieldPanel("matter"),
        FieldPanel("adviser", widget=AdviserChooserWidget),
        FieldRowPanel(
            [
                FieldPanel("village", widget=VillageChooserWidget),
                FieldPanel("other_village", widget=VillageChooserWidget),
            ]
        ),
        FieldPanel("reason"),
        FieldPanel("substitute", widget=AdviserChooserWidget),
        FieldRowPanel([FieldPanel("status"), FieldPanel("raised_on"), FieldPanel("assigned_on")]),
        FieldPanel("note"),
    ]


# --- county settings ---------------------------------------------------------------------------


class BureauForm(WagtailAdminModelForm):
    """County settings; who may raise the cap above 5 is the rule's (`rules.check_bureau_settings`)."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "for_user", None)
        if user is None or self.errors.get("adviser_cap"):
            return cleaned
        from backoffice.scope import scope_for

        self.instance.adviser_cap = cleaned.get("adviser_cap") or self.instance.adviser_cap
        try:
            check_bureau_settings(
                self.instance,
                previous_cap=self.initial.get("adviser_cap") if self.instance.pk else None,
                is_superuser=user.is_superuser,
                prefixes=scope_for(user).prefixes,
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return cleaned


class BureauViewSet(ScopedModelViewSet):
    model = CountyBureau
    icon = "cogs"
    menu_label = _("县级司法局设置")
    menu_order = 700
    list_select_related = ("county",)
    search_fields = ["name", "county__name"]
    search_backend_name = None
    list_display = [
        "name",
        Column("county", label=_("县(市、区)"), accessor="county.name"),
        Column("phone", label=_("联系电话")),
        Column("adviser_cap", label=_("每名顾问最多服务村数")),
        Column("fee_standard", label=_("每村每年服务费标准（元）")),
    ]
    list_export = ["county.code", "county.name", "name", "phone", "address", "adviser_cap", "fee_standard"]
    export_headings = {
        "county.code": _("区划代码"),
        "county.name": _("县(市、区)"),
        "name": _("司法局名称"),
        "phone": _("联系电话"),
        "address": _("地址"),
        "adviser_cap": _("每名顾问最多服务村数"),
        "fee_standard": _("每村每年服务费标准（元）"),
    }
    export_filename = "county_bureaus"
    edit_handler = ObjectList(
        [
            FieldPanel("county"),
            FieldPanel("name"),
            FieldPanel("phone"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("adviser_cap"), FieldPanel("fee_standard")]),
            FieldPanel("cap_reason"),
        ],
        base_form_class=BureauForm,
    )


@hooks.register("register_admin_viewset")
def register_programme_viewsets():
    return [
        FirmViewSet("firms"),
        AdviserViewSet("advisers"),
        ContractViewSet("contracts"),
        LiaisonViewSet("liaison_officers"),
        RoomViewSet("service_rooms"),
        RecusalViewSet("recusals"),
        BureauViewSet("county_bureaus"),
    ]
