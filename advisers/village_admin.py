"""Villages in the back office: read-only rows from the division data, with their adviser, liaison
officer and service room, limited to the user's scope. (A programme view of the places layer's
divisions, so it lives here, above places; registered by advisers.wagtail_hooks.)

Names and codes come from the official division table (`manage.py import_divisions`), so there is
no add, edit or delete here; the inspect page links to the records that can be changed.
"""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn

from backoffice.filters import PlaceFilterSet
from backoffice.viewsets import ScopedIndexView, ScopedInspectView, ScopedModelViewSet
from places import codes
from places.models import Division

from .choosers import adviser_chooser_viewset, village_chooser_viewset
from .models import CountyBureau, LiaisonOfficer, OnSiteSchedule, Recusal, ServiceContract, ServiceRoom


def ancestors_with_bureau(village: Division) -> tuple[list[Division], CountyBureau | None]:
    """The village's enclosing divisions (outermost first) and its county's bureau."""
    return village.ancestors(), CountyBureau.objects.filter(county_id=village.code[:6]).first()


def villages_for_listing(queryset):
    """Villages with their adviser in force, its end date, and whether a liaison and room exist."""
    in_force = ServiceContract.objects.in_force().filter(village=OuterRef("code")).order_by("-start_date")
    return (
        queryset.filter(level=codes.VILLAGE)
        .select_related("parent__parent")
        .annotate(
            current_adviser=Subquery(in_force.values("adviser__name")[:1]),
            current_end=Subquery(in_force.values("end_date")[:1]),
            has_liaison=Exists(LiaisonOfficer.objects.filter(village=OuterRef("code"), is_active=True)),
            has_room=Exists(ServiceRoom.objects.filter(village=OuterRef("code"))),
        )
    )


class VillageFilterSet(PlaceFilterSet):
    place_field = "code"

    coverage = django_filters.ChoiceFilter(
        label=_("法律顾问"),
        method="filter_coverage",
        empty_label=_("全部"),
        choices=[("covered", _("已覆盖")), ("uncovered", _("未覆盖"))],
    )
    liaison = django_filters.ChoiceFilter(
        label=_("联络员"),
        method="filter_liaison",
        empty_label=_("全部"),
        choices=[("yes", _("有")), ("no", _("没有"))],
    )
    room = django_filters.ChoiceFilter(
        label=_("法律服务室"),
        method="filter_room",
        empty_label=_("全部"),
        choices=[("yes", _("有")), ("no", _("没有"))],
    )

    class Meta:
        model = Division
        fields = []

    def filter_coverage(self, queryset, name, value):
        if value == "covered":
            return queryset.filter(current_adviser__isnull=False)
        if value == "uncovered":
            return queryset.filter(current_adviser__isnull=True)
        return queryset

    def filter_liaison(self, queryset, name, value):
        return queryset.filter(has_liaison=(value == "yes")) if value else queryset

    def filter_room(self, queryset, name, value):
        return queryset.filter(has_room=(value == "yes")) if value else queryset


class VillageIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return villages_for_listing(self.scoped_queryset())

    def get_page_title(self):
        return _("村(社区)")


class VillageInspectView(ScopedInspectView):
    template_name = "advisers/village_inspect.html"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if obj.level != codes.VILLAGE:
            raise Http404
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        village = self.object
        user = self.request.user
        ancestors, bureau = ancestors_with_bureau(village)
        contracts = list(
            ServiceContract.objects.filter(village=village)
            .select_related("adviser__firm")
            .prefetch_related("schedules")
            .order_by("-start_date")
        )
        today = timezone.localdate()
        in_force = next((c for c in contracts if c.is_in_force(today)), None)
        can = {
            "add_contract": user.has_perm("advisers.add_servicecontract"),
            "change_contract": user.has_perm("advisers.change_servicecontract"),
            "add_liaison": user.has_perm("advisers.add_liaisonofficer"),
            "change_liaison": user.has_perm("advisers.change_liaisonofficer"),
            "add_room": user.has_perm("advisers.add_serviceroom"),
            "change_room": user.has_perm("advisers.change_serviceroom"),
            "add_recusal": user.has_perm("advisers.add_recusal"),
        }
        room = ServiceRoom.objects.filter(village=village).first()
        liaisons = list(LiaisonOfficer.objects.filter(village=village).order_by("-is_active", "name"))
        context.update(
            {
                "village": village,
                "ancestors": ancestors,
                "bureau": bureau,
                "contracts": contracts,
                "in_force": in_force,
                "schedules": list(OnSiteSchedule.objects.filter(contract=in_force)) if in_force else [],
                "liaisons": liaisons,
                "room": room,
                "six_ones": room.six_ones(in_force is not None, any(li.is_active for li in liaisons))
                if room
                else [],
                "recusals": list(
                    Recusal.objects.filter(village=village).select_related("adviser", "substitute")
                    | Recusal.objects.filter(other_village=village).select_related("adviser", "substitute")
                ),
                "can": can,
                "add_contract_url": f"{reverse('contracts:add')}?village={village.code}",
                "add_liaison_url": f"{reverse('liaison_officers:add')}?village={village.code}",
                "add_room_url": f"{reverse('service_rooms:add')}?village={village.code}",
                "add_recusal_url": f"{reverse('recusals:add')}?village={village.code}",
                "public_url": reverse("directory:place", args=[village.code]),
            }
        )
        return context


def _coverage_tag(village) -> str:
    return village.current_adviser or _("未覆盖")


class VillageViewSet(ScopedModelViewSet):
    model = Division
    icon = "site"
    menu_label = _("村(社区)")
    menu_order = 50
    index_view_class = VillageIndexView
    inspect_view_class = VillageInspectView
    disabled_views = frozenset({"add", "edit", "delete", "history"})
    search_fields = ["name", "code"]
    search_backend_name = None
    filterset_class = VillageFilterSet
    list_per_page = 50
    list_display = [
        "name",
        Column("township", label=_("乡镇(街道)"), accessor="parent.name"),
        Column("county", label=_("县(市、区)"), accessor="parent.parent.name"),
        Column("code", label=_("区划代码"), sort_key="code"),
        StatusTagColumn(
            "current_adviser",
            label=_("现任法律顾问"),
            accessor=_coverage_tag,
            primary=lambda v: v.current_adviser is None,
        ),
        Column("current_end", label=_("合同到期")),
        BooleanColumn("has_liaison", label=_("联络员")),
        BooleanColumn("has_room", label=_("服务室")),
    ]
    list_export = [
        "code",
        "name",
        "parent.name",
        "parent.parent.name",
        "current_adviser",
        "current_end",
        "has_liaison",
        "has_room",
    ]
    export_headings = {
        "code": _("区划代码"),
        "name": _("村(社区)"),
        "parent.name": _("乡镇(街道)"),
        "parent.parent.name": _("县(市、区)"),
        "current_adviser": _("现任法律顾问"),
        "current_end": _("合同到期"),
        "has_liaison": _("有联络员"),
        "has_room": _("有法律服务室"),
    }
    export_filename = "villages"

    def get_form_class(self, for_update=False):  # no forms: villages are read-only here
        return None


@hooks.register("register_admin_viewset")
def register_village_viewsets():
    return [VillageViewSet("villages"), village_chooser_viewset, adviser_chooser_viewset]
