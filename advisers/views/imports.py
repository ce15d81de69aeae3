"""Bulk import pages: upload, preview with every bad row, commit or abandon, download templates."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.models import ImportBatch
from backoffice.viewsets import forbid_as_403

from .. import importers

PREVIEW_ROWS = 50


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("Excel (.xlsx) 或 CSV 文件，使用下面的模板填写，最多 5000 行。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in ImportBatch.Kind.choices if k in kinds]


def _kinds(user) -> list[str]:
    return [kind for kind in ImportBatch.Kind.values if importers.can_import(user, kind)]


def can_use_imports(user) -> bool:
    return bool(_kinds(user))


@forbid_as_403
def import_index(request: HttpRequest) -> HttpResponse:
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = ImportForm(
        request.POST or None, request.FILES or None, kinds=kinds, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = importers.create_batch(form.cleaned_data["kind"], form.cleaned_data["file"], request.user)
        except importers.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("backoffice_import_preview", batch.pk)
    batches = ImportBatch.objects.filter(created_by=request.user).order_by("-created_at")[:10]
    templates = [
        {
            "label": label,
            "xlsx": reverse("backoffice_import_template", args=[kind, "xlsx"]),
            "csv": reverse("backoffice_import_template", args=[kind, "csv"]),
            "fields": importers.FIELDS[kind],
        }
        for kind, label in ImportBatch.Kind.choices
        if kind in kinds
    ]
    return render(
        request,
        "advisers/import_index.html",
        {"form": form, "batches": batches, "templates": templates, "page_title": _("批量导入")},
    )


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch, pk=pk, created_by=request.user)
    if not importers.can_import(request.user, batch.kind):
        raise PermissionDenied
    return batch


@forbid_as_403
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    fields = importers.FIELDS[batch.kind]
    bad_lines = {e["line"] for e in batch.errors}
    preview = [
        {
            "line": row["line"],
            "cells": [row["values"].get(f.key, "") for f in fields],
            "bad": row["line"] in bad_lines,
        }
        for row in batch.rows[:PREVIEW_ROWS]
    ]
    error_text = "\n".join(
        (_("第 %(line)d 行：%(message)s") % e) if e["line"] else e["message"] for e in batch.errors
    )
    return render(
        request,
        "advisers/import_preview.html",
        {
            "batch": batch,
            "fields": fields,
            "preview": preview,
            "more_rows": max(0, len(batch.rows) - PREVIEW_ROWS),
            "row_count": len(batch.rows),
            "bad_row_count": len(bad_lines),
            "error_text": error_text,
            "page_title": _("导入预览"),
            "can_commit": batch.status == ImportBatch.Status.PREVIEW and not batch.errors,
        },
    )


@forbid_as_403
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    try:
        result = importers.commit(batch, request.user)
    except importers.CommitFailed:
        messages.error(request, _("导入失败，数据没有任何改动。请根据下面列出的问题修改文件后重新上传。"))
        return redirect("backoffice_import_preview", batch.pk)
    messages.success(
        request,
        _("导入成功：新增 %(created)d 条，更新 %(updated)d 条。") % result,
    )
    target = "contracts:index" if batch.kind == ImportBatch.Kind.CONTRACTS else "advisers:index"
    return redirect(target)


@forbid_as_403
@require_POST
def import_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    importers.abandon(batch)
    messages.info(request, _("已放弃这次导入，数据没有任何改动。"))
    return redirect("backoffice_import")


@forbid_as_403
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in ImportBatch.Kind.values or fmt not in ("xlsx", "csv"):
        raise Http404
    if not importers.can_import(request.user, kind):
        raise PermissionDenied
    name = f"{kind}-template.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(
            importers.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(importers.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
