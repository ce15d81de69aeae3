"""The programme's admin search: villages, advisers, contracts and firms by name, code or licence.

Wagtail's sidebar search goes to the first search area a user may see; county officers have no
page permissions, so it went to images (issue 11). This area comes first (order 50) for every
account that may see programme records, searches them within the account's scope
(backoffice.scope.scoped: a county finds only its own), and lists Wagtail's other search areas
(pages, images) below, so content editors keep their page search and bureaus land here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.search import SearchArea

from backoffice.adminpages import AdminPageMixin
from backoffice.scope import scoped
from places.models import Division

from .models import Adviser, Firm, ServiceContract

PER_KIND = 20
INSPECT = {
    Adviser: "advisers:inspect",
    ServiceContract: "contracts:inspect",
    Firm: "firms:inspect",
    Division: "villages:inspect",
}
MAX_QUERY = 50


@dataclass
class Group:
    label: str
    rows: list[tuple[str, str, str]]  # (title, detail, url)
    more: bool


def _matches(model, query: str) -> Q:
    """What each kind is found by: names anywhere, codes and licence numbers from their start."""
    if model is Division:
        return Q(name__contains=query) | Q(code__startswith=query)
    if model is Adviser:
        return Q(name__contains=query) | Q(licence_no__startswith=query)
    if model is Firm:
        return Q(name__contains=query) | Q(licence_no__startswith=query)
    return (
        Q(village__name__contains=query)
        | Q(village__code__startswith=query)
        | Q(adviser__name__contains=query)
        | Q(adviser__licence_no__startswith=query)
    )


def _describe(instance) -> tuple[str, str]:
    if isinstance(instance, Division):
        return instance.name, instance.code
    if isinstance(instance, Adviser):
        return instance.name, " · ".join(
            filter(None, [instance.licence_no, getattr(instance.firm, "name", "")])
        )
    if isinstance(instance, Firm):
        return instance.name, instance.licence_no
    return (
        f"{instance.village.name} · {instance.adviser.name}",
        f"{instance.start_date:%Y-%m-%d} 至 {instance.end_date:%Y-%m-%d} · {instance.get_status_display()}",
    )


def _kinds(user) -> list[tuple[str, QuerySet]]:
    """(label, queryset) of the kinds the user may view."""
    kinds = [
        (
            "advisers.view_adviser",
            _("法律顾问"),
            Adviser.objects.select_related("firm").order_by("name", "pk"),
        ),
        (
            "advisers.view_servicecontract",
            _("聘用合同"),
            ServiceContract.objects.select_related("village", "adviser").order_by("-start_date", "pk"),
        ),
        ("advisers.view_firm", _("律师事务所/法律服务所"), Firm.objects.order_by("name", "pk")),
        ("places.view_division", _("村(社区)"), Division.objects.villages().order_by("code")),
    ]
    return [(label, queryset) for perm, label, queryset in kinds if user.has_perm(perm)]


def can_search(user) -> bool:
    return user.is_authenticated and bool(_kinds(user))


def search(user, query: str) -> list[Group]:
    """Records matching `query` within the user's scope, at most PER_KIND of each kind."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    finder = AdminURLFinder(user)
    groups = []
    for label, queryset in _kinds(user):
        found = list(scoped(queryset, user).filter(_matches(queryset.model, query))[: PER_KIND + 1])
        rows = []
        for instance in found[:PER_KIND]:
            # The edit form where the user may change the record, its inspect page otherwise.
            url = finder.get_edit_url(instance) or reverse(INSPECT[type(instance)], args=[quote(instance.pk)])
            rows.append((*_describe(instance), url))
        if rows:
            groups.append(Group(str(label), rows, len(found) > PER_KIND))
    return groups


class ProgrammeSearchView(AdminPageMixin, TemplateView):
    template_name = "advisers/admin_search.html"
    page_title = _("搜索")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not can_search(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("q") or "").strip()
        context.update(
            {
                "query": query[:MAX_QUERY],
                "groups": search(self.request.user, query),
                "per_kind": PER_KIND,
                "search_url": reverse("advisers_admin_search"),
            }
        )
        return context


class ProgrammeSearchArea(SearchArea):
    def is_shown(self, request) -> bool:
        return can_search(request.user)


@hooks.register("register_admin_urls")
def register_search_url():
    return [path("programme-search/", ProgrammeSearchView.as_view(), name="advisers_admin_search")]


@hooks.register("register_admin_search_area")
def register_search_area():
    return ProgrammeSearchArea(
        _("村(社区)、顾问、合同、机构"),
        reverse("advisers_admin_search"),
        name="programme",
        icon_name="group",
        order=50,
    )
