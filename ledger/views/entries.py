"""Ledger entries in the back office: list (with export), record, edit, delete, confirm, files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from backoffice.adminpages import AdminPageMixin, forbid_as_403
from places import codes
from places.models import Division

from .. import access, sources
from ..forms import DisputeForm, EntryForm
from ..models import LedgerAttachment, LedgerEntry

PAGE_SIZE = 50


def ledger_crumb() -> dict[str, str]:
    return {"url": reverse("ledger_index"), "label": _("工作台账")}


def adviser_villages(user):
    scope = access.scope_of(user)
    if not scope.is_adviser:
        return Division.objects.none()
    return Division.objects.filter(code__in=scope.prefixes or ()).order_by("code")


def save_attachments(entry: LedgerEntry, files) -> None:
    for upload in files or ():
        LedgerAttachment.objects.create(entry=entry, file=upload, title=upload.name[:100])


def filtered_entries(request):
    """The user's entries narrowed by the list's filters (month, place, kind, confirmation)."""
    entries = access.entries_visible_to(request.user).select_related("village__parent", "adviser")
    filters = {
        "month": request.GET.get("month", "").strip(),
        "place": request.GET.get("place", "").strip(),
        "kind": request.GET.get("kind", "").strip(),
        "confirmation": request.GET.get("confirmation", "").strip(),
    }
    if filters["month"]:
        try:
            year, month = (int(x) for x in filters["month"].split("-"))
            entries = entries.filter(date__year=year, date__month=month)
        except ValueError:
            filters["month"] = ""
    if filters["place"]:
        if filters["place"].isdigit() and len(filters["place"]) <= codes.CODE_LENGTHS[codes.VILLAGE]:
            entries = entries.filter(village__code__startswith=filters["place"])
        else:
            filters["place"] = ""
    if filters["kind"] in LedgerEntry.Kind.values:
        entries = entries.filter(kind=filters["kind"])
    else:
        filters["kind"] = ""
    if filters["confirmation"] in LedgerEntry.Confirmation.values:
        entries = entries.filter(confirmation=filters["confirmation"])
    else:
        filters["confirmation"] = ""
    return entries.order_by("-date", "-pk"), filters


EXPORT_HEADINGS = [
    _("日期"),
    _("村(社区)代码"),
    _("村(社区)"),
    _("乡镇(街道)"),
    _("法律顾问"),
    _("工作类型"),
    _("到村服务"),
    _("时长（小时）"),
    _("服务人数"),
    _("确认状态"),
    _("工作摘要"),
]


def export_rows(entries):
    # The whole filtered set, read in chunks: a city's ledger has tens of thousands of rows.
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.date,
            entry.village_id,
            entry.village.name,
            entry.village.parent.name if entry.village.parent_id else "",
            entry.adviser.name,
            entry.get_kind_display(),
            gettext("是") if entry.on_site else gettext("否"),
            float(entry.hours),
            entry.people_served,
            entry.get_confirmation_display(),
            entry.summary,
        ]


class EntryListView(AdminPageMixin, TemplateView):
    template_name = "ledger/entry_list.html"
    page_title = _("工作台账")
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(access.VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            from backoffice.exports import csv_streaming_response, xlsx_response

            entries, _filters = filtered_entries(request)
            headings = [str(h) for h in EXPORT_HEADINGS]
            name = f"ledger-{timezone.localdate().isoformat()}"
            if export == "csv":
                return csv_streaming_response(name, headings, export_rows(entries))
            return xlsx_response(name, [(gettext("工作台账"), headings, export_rows(entries))])
        return super().get(request, *args, **kwargs)

    def get_header_buttons(self):
        user = self.request.user
        buttons = []
        if access.can_record(user):
            buttons.append(HeaderButton(_("登记工作"), reverse("ledger_add"), icon_name="plus"))
        if access.can_confirm_any(user):
            buttons.append(HeaderButton(_("待确认"), reverse("ledger_confirm_list"), icon_name="check"))
        buttons.append(HeaderButton(_("履职统计"), reverse("ledger_compliance"), icon_name="view"))
        return buttons

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entries, filters = filtered_entries(self.request)
        page = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("p"))
        query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
        context.update(
            {
                "page": page,
                "filters": filters,
                "query": query,
                "kinds": LedgerEntry.Kind.choices,
                "confirmations": LedgerEntry.Confirmation.choices,
                "is_adviser": access.scope_of(self.request.user).is_adviser,
            }
        )
        return context


class EntryFormView(AdminPageMixin, FormView):
    """Record a new entry, or correct one that is not confirmed yet (the adviser's own)."""

    template_name = "ledger/entry_form.html"
    form_class = EntryForm
    entry: LedgerEntry | None = None

    def get_page_title(self) -> str:
        return str(_("修改台账记录") if self.entry else _("登记工作"))

    def get_crumbs(self):
        return [ledger_crumb()]

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.entry = get_object_or_404(access.entries_visible_to(request.user), pk=kwargs["pk"])
            if not access.can_edit(request.user, self.entry):
                raise PermissionDenied(_("已确认的记录和由讲座、收费备案自动生成的记录不能修改。"))
        elif not access.can_record(request.user):
            raise PermissionDenied(_("只有在聘的法律顾问可以登记工作台账。"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        instance = self.entry or LedgerEntry(adviser_id=access.scope_of(self.request.user).adviser_id)
        kwargs["instance"] = instance
        kwargs["villages"] = adviser_villages(self.request.user)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {} if self.entry else {"date": timezone.localdate(), "on_site": True}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entry"] = self.entry
        return context

    @transaction.atomic
    def form_valid(self, form):
        entry: LedgerEntry = form.save(commit=False)
        created = entry.pk is None
        if created:
            entry.created_by = self.request.user
        if entry.on_site:
            # New or corrected on-site work waits for the committee's (re)confirmation.
            entry.confirmation = LedgerEntry.Confirmation.PENDING
            entry.confirmed_by = None
            entry.confirmed_at = None
            entry.dispute_reason = ""
        entry.save()
        save_attachments(entry, form.cleaned_data.get("files"))
        log(entry, "wagtail.create" if created else "wagtail.edit", user=self.request.user)
        messages.success(
            self.request,
            _("已登记。到村服务须村(居)委会确认后计入每月驻点时长。") if entry.on_site else _("已登记。"),
        )
        return HttpResponseRedirect(reverse("ledger_entry", args=[entry.pk]))


class EntryDetailView(AdminPageMixin, TemplateView):
    template_name = "ledger/entry_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.entry = get_object_or_404(
            access.entries_visible_to(request.user).select_related(
                "village__parent", "adviser", "confirmed_by"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"{self.entry.date:%Y-%m-%d} {self.entry.village.name} {self.entry.get_kind_display()}"

    def get_crumbs(self):
        return [ledger_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            {
                "entry": self.entry,
                "can_edit": access.can_edit(user, self.entry),
                "can_delete": access.can_delete(user, self.entry),
                "can_confirm": access.can_confirm(user, self.entry),
                "dispute_form": DisputeForm(),
                "source": sources.source_of(self.entry),
            }
        )
        return context


class EntryDeleteView(AdminPageMixin, TemplateView):
    template_name = "ledger/entry_delete.html"
    page_title = _("删除台账记录")

    def dispatch(self, request, *args, **kwargs):
        self.entry = get_object_or_404(access.entries_visible_to(request.user), pk=kwargs["pk"])
        if not access.can_delete(request.user, self.entry):
            raise PermissionDenied(_("已确认的记录和自动生成的记录不能删除。"))
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [ledger_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entry"] = self.entry
        return context

    def post(self, request, *args, **kwargs):
        log(self.entry, "wagtail.delete", user=request.user)
        for item in self.entry.attachments.all():
            item.file.delete(save=False)
        self.entry.delete()
        messages.success(request, _("已删除。"))
        return HttpResponseRedirect(reverse("ledger_index"))


class ConfirmListView(AdminPageMixin, TemplateView):
    """The village committee's list of on-site work waiting for its word."""

    template_name = "ledger/confirm_list.html"
    page_title = _("待确认的驻点服务")
    header_icon = "check"

    def dispatch(self, request, *args, **kwargs):
        if not access.can_confirm_any(request.user):
            raise PermissionDenied(_("只有村(居)委会可以确认驻点服务记录。"))
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [ledger_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = (
            access.confirmable(self.request.user)
            .select_related("village", "adviser")
            .order_by("date", "pk")[:200]
        )
        context["dispute_form"] = DisputeForm()
        return context

    def post(self, request, *args, **kwargs):
        """Confirm the ticked entries at once (each still checked against the scope)."""
        ids = [int(x) for x in request.POST.getlist("entries") if x.isdigit()]
        entries = list(access.confirmable(request.user).filter(pk__in=ids))
        with transaction.atomic():
            for entry in entries:
                entry.confirm(request.user)
                log(entry, "ledger.confirm", user=request.user)
        if entries:
            messages.success(request, _("已确认 %(n)d 条记录。") % {"n": len(entries)})
        else:
            messages.warning(request, _("请先勾选要确认的记录。"))
        return HttpResponseRedirect(reverse("ledger_confirm_list"))


@forbid_as_403
def confirm_entry(request, pk: int):
    """POST: confirm or dispute one entry (the committee of its village only)."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("ledger_entry", args=[pk]))
    entry = get_object_or_404(access.entries_visible_to(request.user), pk=pk)
    if not access.can_confirm(request.user, entry):
        if entry.confirmation != LedgerEntry.Confirmation.PENDING and access.can_confirm_any(request.user):
            messages.warning(request, _("该记录已处理。"))
            return HttpResponseRedirect(reverse("ledger_entry", args=[pk]))
        raise PermissionDenied(_("只有该村(社区)的村(居)委会可以确认这条记录。"))
    if request.POST.get("action") == "dispute":
        form = DisputeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请说明异议理由。"))
            return HttpResponseRedirect(reverse("ledger_entry", args=[pk]))
        try:
            entry.dispute(request.user, form.cleaned_data["reason"])
        except ValidationError:
            messages.error(request, _("请说明异议理由。"))
            return HttpResponseRedirect(reverse("ledger_entry", args=[pk]))
        log(entry, "ledger.dispute", user=request.user)
        messages.success(request, _("已提出异议，顾问会看到您的理由。"))
    else:
        entry.confirm(request.user)
        log(entry, "ledger.confirm", user=request.user)
        messages.success(request, _("已确认。"))
    target = request.POST.get("next")
    if target == "confirm_list":
        return HttpResponseRedirect(reverse("ledger_confirm_list"))
    return HttpResponseRedirect(reverse("ledger_entry", args=[pk]))


@forbid_as_403
def attachment(request, pk: int, attachment_pk: int):
    entry = get_object_or_404(access.entries_visible_to(request.user), pk=pk)
    item = get_object_or_404(LedgerAttachment, pk=attachment_pk, entry=entry)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
