"""The programme's choosers: villages with their adviser in force, and advisers with their load.

Both are configurations of the platform's scoped choosers (backoffice.choosers): every endpoint
(the modal, its results, `chosen/<id>/`, `chosen-multiple/?id=…`) lists only the records the
user's scope reaches. An adviser's load and cap are `Adviser.objects.with_load()`'s, with the cap
of the user's county when the account answers for one county (or a part of it).
"""

from __future__ import annotations

from django import forms
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views

from backoffice.choosers import (
    DivisionChooseResultsView,
    DivisionChooserViewSet,
    DivisionChooseView,
    DivisionFilterForm,
    ScopedChooseMixin,
    ScopedChooserViewSet,
    ScopedChosenMultipleView,
    ScopedChosenView,
)
from backoffice.scope import scope_for, scoped
from places import codes

from .models import Adviser, ServiceContract


def villages_with_adviser(queryset: QuerySet) -> QuerySet:
    """Villages annotated with the name of the adviser in force (one subquery, no N+1)."""
    in_force = ServiceContract.objects.in_force().filter(village=OuterRef("code")).order_by("-start_date")
    return queryset.annotate(current_adviser=Subquery(in_force.values("adviser__name")[:1]))


class VillageFilterForm(DivisionFilterForm):
    uncovered = forms.BooleanField(label=_("只看未覆盖的"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        if self.cleaned_data.get("uncovered"):
            objects = objects.filter(current_adviser__isnull=True)
        return objects


class VillageChooseMixin:
    def get_filter_form_class(self):
        return VillageFilterForm

    def extra_columns(self):
        return [
            Column(
                "current_adviser",
                label=_("现任法律顾问"),
                accessor=lambda obj: obj.current_adviser or _("未覆盖"),
            )
        ]


class VillageChooseView(VillageChooseMixin, DivisionChooseView):
    pass


class VillageChooseResultsView(VillageChooseMixin, DivisionChooseResultsView):
    pass


class VillageChooserViewSet(DivisionChooserViewSet):
    choose_one_text = _("选择村(社区)")
    choose_another_text = _("改选村(社区)")
    edit_item_text = _("查看")
    choose_view_class = VillageChooseView
    choose_results_view_class = VillageChooseResultsView
    preserve_url_parameters = ["multiple", "uncovered"]
    levels = (codes.VILLAGE,)

    def get_chooser_queryset(self, user) -> QuerySet:
        return villages_with_adviser(super().get_chooser_queryset(user))


class AdviserFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("姓名、执业证号或机构"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("输入姓名、执业证号或所在机构")}),
    )
    available = forms.BooleanField(label=_("只看未满额的"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(
                Q(name__contains=query) | Q(licence_no__contains=query) | Q(firm__name__contains=query)
            )
            self.is_searching = True
            self.search_query = query
        if self.cleaned_data.get("available"):
            objects = objects.filter(load__lt=F("cap"))
        return objects


def county_of(user) -> str | None:
    """The county an account answers for (or lies within), None for wider or several areas."""
    prefixes = scope_for(user).prefixes
    if prefixes and len(prefixes) == 1 and len(prefixes[0]) >= codes.CODE_LENGTHS[codes.COUNTY]:
        return prefixes[0][: codes.CODE_LENGTHS[codes.COUNTY]]
    return None


def advisers_with_load(queryset: QuerySet, user=None) -> QuerySet:
    """Advisers with `load` and `cap` as `Adviser.objects.with_load` counts them, for this user."""
    return queryset.with_load(county=county_of(user) if user is not None else None)


def _load_text(obj) -> str:
    text = f"{obj.load} / {obj.cap}"
    return text + str(_("（已满额）")) if obj.load >= obj.cap else text


class AdviserChooseMixin:
    def get_filter_form_class(self):
        return AdviserFilterForm

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("姓名"),
                accessor="name",
                get_url=lambda obj: self.append_preserved_url_parameters(
                    reverse(self.chosen_url_name, args=(obj.pk,))
                ),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("firm", label=_("所在机构"), accessor="firm.name"),
            Column("licence_no", label=_("执业证号"), accessor="licence_no"),
            Column("load", label=_("现服务村(社区)数"), accessor=_load_text),
        ]


class AdviserChooseView(AdviserChooseMixin, ScopedChooseMixin, chooser_views.ChooseView):
    pass


class AdviserChooseResultsView(AdviserChooseMixin, ScopedChooseMixin, chooser_views.ChooseResultsView):
    pass


class AdviserChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.licence_no}）"


class AdviserChosenMultipleView(ScopedChosenMultipleView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.licence_no}）"


class AdviserChooserViewSet(ScopedChooserViewSet):
    model = Adviser
    icon = "user"
    choose_one_text = _("选择法律顾问")
    choose_another_text = _("改选法律顾问")
    edit_item_text = _("查看")
    per_page = 20
    register_widget = True
    choose_view_class = AdviserChooseView
    choose_results_view_class = AdviserChooseResultsView
    chosen_view_class = AdviserChosenView
    chosen_multiple_view_class = AdviserChosenMultipleView
    preserve_url_parameters = ["multiple", "available"]

    def get_chooser_queryset(self, user) -> QuerySet:
        advisers = Adviser.objects.filter(is_active=True).select_related("firm")
        return advisers_with_load(scoped(advisers, user), user).order_by("name", "id")


village_chooser_viewset = VillageChooserViewSet("village_chooser", url_prefix="choose/village")
adviser_chooser_viewset = AdviserChooserViewSet("adviser_chooser", url_prefix="choose/adviser")
VillageChooserWidget = village_chooser_viewset.widget_class
AdviserChooserWidget = adviser_chooser_viewset.widget_class
