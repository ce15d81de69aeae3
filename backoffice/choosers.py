"""Scoped choosers: modal pickers whose every endpoint lists only what the user's scope reaches.

A select box cannot hold 620,573 villages, and a plain chooser would list every record of the
country. A `ScopedChooserViewSet` reads its records through one method, `get_chooser_queryset(user)`
(by default the model's records through `backoffice.scope.scoped`), and uses it in all four of
its views: the modal (choose), its search results, `chosen/<id>/` and
`chosen-multiple/?id=…&id=…` (and so their JSON). A record outside the scope is a 404 in
`chosen` and is left out of `chosen-multiple`, exactly as if it did not exist.

`DivisionChooserViewSet` is the platform's one chooser of divisions (villages, townships…), by
name or code; the programme's village chooser (advisers.choosers) and the lecture-place chooser
(content.choosers) are configurations of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from places import codes
from places.models import Division

from .scope import scoped


class ScopedChooserMixin:
    """A chooser view that reads records only through its viewset's `get_chooser_queryset`."""

    #: Set by `ScopedChooserViewSet.construct_view`: user -> the records the chooser may offer.
    chooser_queryset: Callable | None = None

    def scoped_objects(self) -> QuerySet:
        return self.chooser_queryset(self.request.user)

    def valid_pks(self, values: Iterable[str]) -> list:
        """The ids that are well formed for the model's key (junk ids select nothing, never a 500)."""
        field = self.model_class._meta.pk
        result = []
        for value in values:
            try:
                pk = field.to_python(value)
            except (ValidationError, TypeError, ValueError):
                continue
            if isinstance(pk, int) and not -(2**63) <= pk < 2**63:
                continue  # beyond any database integer (SQLite would raise OverflowError)
            if isinstance(pk, str) and field.max_length and len(pk) > field.max_length:
                continue
            result.append(pk)
        return result


class ScopedChooseMixin(ScopedChooserMixin):
    def get_object_list(self):
        return self.scoped_objects()


class ScopedChooseView(ScopedChooseMixin, chooser_views.ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseMixin, chooser_views.ChooseResultsView):
    pass


class ScopedChosenView(ScopedChooserMixin, chooser_views.ChosenView):
    def get_object(self, pk):
        pks = self.valid_pks([pk])
        obj = self.scoped_objects().filter(pk__in=pks).first() if pks else None
        if obj is None:
            raise Http404
        return obj


class ScopedChosenMultipleView(ScopedChooserMixin, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return self.scoped_objects().filter(pk__in=self.valid_pks(pks))


class ScopedChooserViewSet(ChooserViewSet):
    """A chooser whose choose, results, chosen and chosen-multiple views all go through the scope."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView

    def get_chooser_queryset(self, user) -> QuerySet:
        """The records this chooser may offer `user`: override to narrow or annotate."""
        return scoped(self.model._default_manager.all(), user)

    def construct_view(self, view_class, **kwargs):
        if issubclass(view_class, ScopedChooserMixin):
            kwargs["chooser_queryset"] = self.get_chooser_queryset
        return super().construct_view(view_class, **kwargs)


# --- divisions ---------------------------------------------------------------------------------


class DivisionFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("名称或代码"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("输入名称中的字或区划代码")}),
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


def county_name(place: Division) -> str:
    """The county of a village or township (its parent's parent, or its parent)."""
    parent = place.parent
    if place.level == codes.VILLAGE and parent is not None:
        parent = parent.parent
    return parent.name if parent else ""


class DivisionChooseMixin(ScopedChooseMixin):
    def get_filter_form_class(self):
        return DivisionFilterForm

    def extra_columns(self) -> list[Column]:
        """Columns after the name, township, county and code (for a configured chooser)."""
        return []

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
                "township",
                label=_("乡镇(街道)"),
                accessor=lambda obj: obj.parent.name if obj.level == codes.VILLAGE and obj.parent else "",
            ),
            Column("county", label=_("县(市、区)"), accessor=county_name),
            Column("code", label=_("区划代码"), accessor="code"),
            *self.extra_columns(),
        ]


class DivisionChooseView(DivisionChooseMixin, chooser_views.ChooseView):
    pass


class DivisionChooseResultsView(DivisionChooseMixin, chooser_views.ChooseResultsView):
    pass


class DivisionChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.code}）"


class DivisionChosenMultipleView(ScopedChosenMultipleView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.code}）"


class DivisionChooserViewSet(ScopedChooserViewSet):
    """Divisions of the given `levels` within the user's scope, by name or code."""

    model = Division
    icon = "site"
    per_page = 20
    register_widget = False  # Division keys point at villages, townships or counties by field
    choose_view_class = DivisionChooseView
    choose_results_view_class = DivisionChooseResultsView
    chosen_view_class = DivisionChosenView
    chosen_multiple_view_class = DivisionChosenMultipleView
    preserve_url_parameters = ["multiple"]
    levels: tuple[int, ...] = (codes.VILLAGE,)

    def get_chooser_queryset(self, user) -> QuerySet:
        places = Division.objects.filter(level__in=self.levels).select_related("parent__parent")
        return scoped(places, user).order_by("code")
