"""A chooser for a lecture's place: a village (村/社区) or a township (乡镇/街道), within scope.

The platform's division chooser (backoffice.choosers) configured for the lecture levels: the
same name-or-code search and the same scope on every endpoint as the programme's village chooser.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from backoffice.choosers import DivisionChooseResultsView, DivisionChooserViewSet, DivisionChooseView
from places import codes

from .models.lectures import LECTURE_LEVELS


class PlaceChooseMixin:
    def extra_columns(self):
        return [
            Column(
                "level",
                label=_("层级"),
                accessor=lambda obj: _("村(社区)") if obj.level == codes.VILLAGE else _("乡镇(街道)"),
            )
        ]


class PlaceChooseView(PlaceChooseMixin, DivisionChooseView):
    pass


class PlaceChooseResultsView(PlaceChooseMixin, DivisionChooseResultsView):
    pass


class LecturePlaceChooserViewSet(DivisionChooserViewSet):
    choose_one_text = _("选择村(社区)或乡镇(街道)")
    choose_another_text = _("改选举办地")
    choose_view_class = PlaceChooseView
    choose_results_view_class = PlaceChooseResultsView
    levels = tuple(LECTURE_LEVELS)


lecture_place_chooser_viewset = LecturePlaceChooserViewSet(
    "lecture_place_chooser", url_prefix="choose/lecture-place"
)
LecturePlaceChooserWidget = lecture_place_chooser_viewset.widget_class
