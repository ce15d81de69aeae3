"""A chooser for a lecture's place: a village (村/社区) or a township (乡镇/街道), within scope.

A select box cannot hold the country's 660,000 villages and townships; this modal searches by
name or code and lists only the places the user's scope reaches (backoffice.scope).
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from backoffice.choosers import ScopedChosenView
from backoffice.scope import scoped
from places import codes
from places.models import Division

from .models.lectures import LECTURE_LEVELS


class PlaceFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("名称或代码"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("输入村(社区)、乡镇(街道)名称中的字或区划代码")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            if query.isdigit():
                objects = (
                    objects.within(query)
                    if codes.is_valid_code(query)
                    else objects.filter(code__startswith=query)
                )
            else:
                objects = objects.filter(name__contains=query)
            self.is_searching = True
            self.search_query = query
        return objects


def _county_name(place: Division) -> str:
    parent = place.parent
    if place.level == codes.VILLAGE and parent is not None:
        parent = parent.parent
    return parent.name if parent else ""


class PlaceChooseMixin:
    def get_object_list(self):
        places = Division.objects.filter(level__in=LECTURE_LEVELS).select_related("parent__parent")
        return scoped(places, self.request.user).order_by("code")

    def get_filter_form_class(self):
        return PlaceFilterForm

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("名称"),
                accessor="name",
                get_url=lambda obj: self.append_preserved_url_parameters(
                    reverse(self.chosen_url_name, args=(obj.pk,))
                ),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column(
                "level",
                label=_("层级"),
                accessor=lambda obj: _("村(社区)") if obj.level == codes.VILLAGE else _("乡镇(街道)"),
            ),
            Column(
                "township",
                label=_("所属乡镇(街道)"),
                accessor=lambda obj: obj.parent.name if obj.level == codes.VILLAGE and obj.parent else "",
            ),
            Column("county", label=_("县(市、区)"), accessor=_county_name),
            Column("code", label=_("区划代码"), accessor="code"),
        ]


class PlaceChooseView(PlaceChooseMixin, chooser_views.ChooseView):
    pass


class PlaceChooseResultsView(PlaceChooseMixin, chooser_views.ChooseResultsView):
    pass


class PlaceChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.code}）"


class LecturePlaceChooserViewSet(ChooserViewSet):
    model = Division
    icon = "site"
    choose_one_text = _("选择村(社区)或乡镇(街道)")
    choose_another_text = _("改选举办地")
    per_page = 20
    register_widget = False  # Division keys elsewhere point at villages only, or at counties
    choose_view_class = PlaceChooseView
    choose_results_view_class = PlaceChooseResultsView
    chosen_view_class = PlaceChosenView
    preserve_url_parameters = ["multiple"]


lecture_place_chooser_viewset = LecturePlaceChooserViewSet(
    "lecture_place_chooser", url_prefix="choose/lecture-place"
)
LecturePlaceChooserWidget = lecture_place_chooser_viewset.widget_class
