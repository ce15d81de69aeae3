"""Wagtail viewsets whose every view is limited to the user's scope, with a detailed audit trail.

Scope is enforced in the querysets of the views themselves (index and its export, edit, delete,
inspect, history), not in menus: a record outside the user's scope is never listed and opening it
by address is a 404. Choices in forms are limited by `backoffice.forms.ScopedModelForm`, and the
permission policy registered for each model answers instance checks with the scope too, so
Wagtail's actions and any later code asking "may this user change this record?" agree.

Every create, change and delete is logged through Wagtail's log (`wagtail.create`, `wagtail.edit`,
`wagtail.delete`) with the values that changed, shown on the record's history page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages as django_messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, ProtectedError, QuerySet, RestrictedError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from .exports import BOM, safe_cell
from .history import KeptForHistory
from .idempotency import one_time_submission
from .locking import is_lock_conflict
from .scope import has_manage_rule, is_in_scope, is_managed, managed, scope_for, scoped

# Personal numbers the audit log keeps only partly (PIPL): (model name, field name).
MASKED_FIELDS = {("adviser", "mobile"), ("liaisonofficer", "phone"), ("staffprofile", "phone")}


def is_masked(model, field_name: str) -> bool:
    return (model._meta.model_name, field_name) in MASKED_FIELDS


#: Actions on a record that need it to be managed by the user, not only seen (backoffice.scope.managed).
MANAGE_ACTIONS = frozenset({"change", "delete"})


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, and for a given record, the user's scope as well.

    Changing or deleting a record asks the narrower `managed()` scope (a firm: only the bureau of
    its own county), seeing it the wider `scoped()` one.
    """

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if instance.pk is None:
            return True
        return is_managed(user, instance) if action in MANAGE_ACTIONS else is_in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return scoped(self.model._default_manager.all(), user)


# --- describing changes for the audit log ------------------------------------------------------


def _mask(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 7:
        return "***"
    return f"{''.join(digits[:3])}****{''.join(digits[-4:])}"


def display_value(field: forms.Field | None, value) -> str:
    """A reader-friendly rendering of a form value (initial or cleaned) for the history page."""
    if value is None or value == "" or value == [] or (hasattr(value, "exists") and not value.exists()):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(field, forms.ModelMultipleChoiceField):
        if isinstance(value, QuerySet):
            items = list(value)
        else:
            items = list(
                field.queryset.model._default_manager.filter(pk__in=[getattr(v, "pk", v) for v in value])
            )
        return "、".join(str(item) for item in items) or "—"
    if isinstance(field, forms.ModelChoiceField):
        if hasattr(value, "_meta"):
            return str(value)
        item = field.queryset.model._default_manager.filter(pk=value).first()
        return str(item) if item is not None else str(value)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
        labels = {str(k): str(v) for k, v in field.choices if not isinstance(v, list | tuple)}
        return labels.get(str(value), str(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if hasattr(value, "name") and hasattr(value, "url"):  # files and images
        return str(value.name)
    return str(value)


def describe_changes(form: forms.ModelForm, *, created: bool = False) -> list[dict[str, str]]:
    """[{field, label, old, new}] for every changed field of a bound, valid model form."""
    changes = []
    names = [n for n in form.fields if (created and form.cleaned_data.get(n) not in (None, "", [], False))]
    if not created:
        names = list(form.changed_data)
    for name in names:
        field = form.fields[name]
        old = "" if created else display_value(field, form.initial.get(name))
        new = display_value(field, form.cleaned_data.get(name))
        if is_masked(form._meta.model, name):
            old = _mask(old) if old not in ("", "—") else old
            new = _mask(new) if new not in ("", "—") else new
        if old == new:
            continue
        changes.append({"field": name, "label": str(field.label or name), "old": old, "new": new})
    return changes


def _formset_snapshot(form) -> dict[str, list[str]]:
    """Text of each inline formset's saved rows (e.g. a contract's on-site hours)."""
    snapshot = {}
    for name, formset in getattr(form, "formsets", {}).items():
        instance = form.instance
        if instance.pk is None:
            snapshot[name] = []
            continue
        relation = getattr(type(instance), name, None)
        manager = getattr(instance, name, None)
        if relation is None or manager is None:
            continue
        snapshot[name] = [
            str(obj) for obj in formset.model._default_manager.filter(**{formset.fk.name: instance})
        ]
    return snapshot


def _formset_changes(form, before: dict[str, list[str]]) -> list[dict[str, str]]:
    changes = []
    after = _formset_snapshot(form)
    for name, rows in after.items():
        old_rows = before.get(name, [])
        if rows != old_rows:
            formset = form.formsets[name]
            label = str(formset.model._meta.verbose_name)
            changes.append(
                {
                    "field": name,
                    "label": label,
                    "old": "；".join(old_rows) or "—",
                    "new": "；".join(rows) or "—",
                }
            )
    return changes


def snapshot_instance(instance) -> list[dict[str, str]]:
    """The record's field values, kept in the log entry of its deletion."""
    rows = []
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(instance, field.name, None)
        if field.choices:
            value = getattr(instance, f"get_{field.name}_display")()
        text = display_value(None, value)
        if is_masked(type(instance), field.name) and text != "—":
            text = _mask(text)
        rows.append({"field": field.name, "label": str(field.verbose_name), "old": text, "new": ""})
    return rows


# --- views -------------------------------------------------------------------------------------


def forbidden(request, message: str | None = None):
    """A 403 page inside the admin (Wagtail's default is a redirect to the dashboard)."""
    from django.shortcuts import render

    return render(
        request,
        "backoffice/403.html",
        {"message": message or _("您的账号没有查看或修改这类记录的权限。")},
        status=403,
    )


def forbid_as_403(view):
    """Decorate a function view so that PermissionDenied renders the admin's 403 page."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    return wrapped


class ScopedQuerysetMixin:
    """Base queryset of a view: the model's records in the user's scope, with related rows joined.

    A refusal is a 403 page (missing permission) or a 404 (record outside the scope), never a
    silent redirect, so a user and a test can tell which happened.
    """

    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    def scoped_queryset(self) -> QuerySet:
        queryset = scoped(self.model._default_manager.all(), self.request.user)
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset


def export_value(item, path: str):
    """A dotted attribute path that tolerates empty relations (blank instead of an error)."""
    value = item
    for part in path.split("."):
        if value is None:
            return ""
        value = getattr(value, part, None)
        if callable(value):
            value = value()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else value


class ScopedIndexView(ScopedQuerysetMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped_queryset()

    def get_edit_url(self, instance):
        url = super().get_edit_url(instance)
        return url if url and self._manages(instance) else None

    def get_delete_url(self, instance):
        url = super().get_delete_url(instance)
        return url if url and self._manages(instance) else None

    def get_queryset(self):
        """For a model managed more narrowly than seen (firms), whether each row is managed, in
        the listing's own query (a subquery, not a query per row)."""
        queryset = super().get_queryset()
        if has_manage_rule(self.model):
            same = self.model._default_manager.filter(pk=OuterRef("pk"))
            queryset = queryset.annotate(portal_managed=Exists(managed(same, self.request.user)))
        return queryset

    def _manages(self, instance) -> bool:
        """Listed records are seen; rows of a model managed more narrowly carry the answer."""
        return getattr(instance, "portal_managed", True)

    def to_row_dict(self, item):
        return {field: export_value(item, field) for field in self.list_export}

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))

    def stream_csv(self, queryset):
        # A byte-order mark, or Excel on Windows shows the Chinese headings as mojibake.
        yield BOM
        yield from super().stream_csv(queryset)

    @property
    def scope(self):
        return scope_for(self.request.user)


def add_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a ValidationError raised while saving onto the form: fields it names, else the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


class RuleErrorsAsFormErrors:
    """Answer a rule broken at save time with the form and the rule's message, never a 500.

    Form validation already runs the rules, but only the save re-checks them under row locks
    (advisers.rules.save_contract): when two users add an adviser's 6th contract at the same
    moment, both forms are valid and the second save raises ValidationError. Wagtail's
    form_valid wraps the save in a transaction that the exception rolls back, so nothing is
    half-saved; this turns the exception into form errors on the same page.
    """

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            form.add_error(None, _("其他人正在同时修改相关记录，本次没有保存。请稍后重新提交。"))
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class ScopedCreateView(RuleErrorsAsFormErrors, ScopedQuerysetMixin, generic.CreateView):
    def get_initial(self):
        """Prefill from the query string (e.g. ?village=451402001202 from the uncovered list).

        A prefilled choice of a record (a village, an adviser) goes through the user's scope like
        the form's own choices: an id outside it, or one that names nothing, is left out with a
        warning, so that a link cannot show another county's village in the chooser.
        """
        initial = super().get_initial()
        form_class = self.get_form_class()
        refused = []
        for name, field in form_class.base_fields.items():
            if name not in self.request.GET:
                continue
            value = self.request.GET[name]
            if isinstance(field, forms.ModelChoiceField) and not self._prefill_allowed(field, value):
                refused.append(str(field.label or name))
                continue
            initial[name] = value
        if refused:
            django_messages.warning(
                self.request,
                _("预填的%(fields)s不在您的管辖范围内或不存在，已忽略。") % {"fields": "、".join(refused)},
            )
        return initial

    def _prefill_allowed(self, field: forms.ModelChoiceField, value: str) -> bool:
        queryset = field.queryset
        limit = field.get_limit_choices_to()
        if limit:
            queryset = queryset.complex_filter(limit)
        try:
            queryset = scoped(queryset, self.request.user)
        except LookupError:
            pass  # not a place-bound model (categories, images): any existing record
        try:
            return queryset.filter(**{field.to_field_name or "pk": value}).exists()
        except (ValueError, TypeError, ValidationError):
            return False

    def save_instance(self):
        instance = self.action_class(
            self.form.instance,
            user=self.request.user,
            form=self.form,
            log_action=False,
            sort_order_field=self.sort_order_field,
        ).execute(skip_permission_checks=True)
        if not is_in_scope(self.request.user, instance):
            # Only reachable with a forged form; the transaction of form_valid rolls it back.
            raise PermissionDenied
        changes = describe_changes(self.form, created=True) + _formset_changes(self.form, {})
        log(
            instance=instance,
            action="wagtail.create",
            user=self.request.user,
            content_changed=True,
            data={"changes": changes},
        )
        return instance


class ManagedObjectMixin:
    """Edit and delete views: a record seen but not managed by the user is a 403, one not seen a 404."""

    def dispatch(self, request, *args, **kwargs):
        # The record comes from the scoped queryset: one outside the scope is a 404 here.
        instance = getattr(self, "object", None) or self.get_object()
        if not is_managed(request.user, instance):
            return forbidden(request, _("这条记录由其所在县(市、区)的司法局管理，您只能查看。"))
        return super().dispatch(request, *args, **kwargs)


class ScopedEditView(ManagedObjectMixin, RuleErrorsAsFormErrors, ScopedQuerysetMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped_queryset()

    def save_instance(self):
        before = _formset_snapshot(self.form)
        changes = describe_changes(self.form)
        instance = self.action_class(
            self.form.instance, user=self.request.user, form=self.form, log_action=False
        ).execute(skip_permission_checks=True)
        changes += _formset_changes(self.form, before)
        log(
            instance=instance,
            action="wagtail.edit",
            user=self.request.user,
            content_changed=bool(changes),
            data={"changes": changes},
        )
        return instance

    @property
    def can_delete(self):
        return self.user_has_permission("delete")


class ScopedDeleteView(ManagedObjectMixin, ScopedQuerysetMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset()

    def delete_action(self):
        with transaction.atomic():
            log(
                instance=self.object,
                action="wagtail.delete",
                user=self.request.user,
                deleted=True,
                data={"changes": snapshot_instance(self.object)},
            )
            self.action_class(self.object, user=self.request.user, log_action=False).execute(
                skip_permission_checks=True
            )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except KeptForHistory as exc:
            django_messages.error(self.request, exc.message)
            return HttpResponseRedirect(self.get_delete_url())
        except (ProtectedError, RestrictedError) as exc:
            count = len(
                getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", []) or []
            )
            django_messages.error(
                self.request,
                _(
                    "不能删除“%(object)s”：仍有 %(count)d 条记录（如聘用合同）引用它。请改为修改其状态（如“不在岗”“已解除”）。"
                )
                % {"object": self.object, "count": count},
            )
            return HttpResponseRedirect(self.get_delete_url())


#: Labels of the timestamps most models carry without a verbose_name.
TIMESTAMP_LABELS = {"created_at": gettext_lazy("创建时间"), "updated_at": gettext_lazy("最后修改时间")}


class ScopedInspectView(ScopedQuerysetMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)

    def get_field_label(self, field_name, field):
        if (
            field_name in TIMESTAMP_LABELS
            and field is not None
            and field.verbose_name == field_name.replace("_", " ")
        ):
            return TIMESTAMP_LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        """Values as a county officer reads them: 是/否, "—" for nothing, times in China's time."""
        if field is not None and getattr(field, "concrete", False) and not field.many_to_many:
            if getattr(self.object, field.attname, None) in (None, ""):
                return "—"  # an empty photo or relation, not "None"
        value = super().get_field_display_value(field_name, field)
        if value == "-":  # Wagtail's mark for an empty many-to-many
            return "—"
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if value is None or value == "":
            return "—"
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def get_edit_url(self):
        url = super().get_edit_url()
        return url if url and is_managed(self.request.user, self.object) else None

    def get_delete_url(self):
        url = super().get_delete_url()
        return url if url and is_managed(self.request.user, self.object) else None


class ChangesColumn(Column):
    cell_template_name = "backoffice/history_changes_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["changes"] = (instance.data or {}).get("changes", [])
        context["batch"] = (instance.data or {}).get("import_batch")
        return context


class ScopedHistoryView(ScopedQuerysetMixin, history.HistoryView):
    any_permission_required = ["add", "change", "delete", "view"]

    def get_base_object_queryset(self):
        return self.scoped_queryset()

    @property
    def columns(self):
        columns = list(super().columns)
        columns.insert(1, ChangesColumn("changes", label=gettext_lazy("修改内容"), accessor="data"))
        return columns

    @property
    def header_buttons(self):
        if self.user_has_permission("change"):
            return super().header_buttons
        return []


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose views stop at the user's scope and log what changed.

    Copying is off (a copied contract would be a second contract for the same village) and so is
    Wagtail's usage view, which would list records of other places that refer to this one.
    """

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()
    #: Views to leave out entirely (e.g. {"add", "edit", "delete"} for read-only villages).
    disabled_views: frozenset[str] = frozenset()

    #: Every programme record is listed in the back office's "顾问工作" menu.
    menu_hook = "register_programme_menu_item"

    def get_edit_handler(self):
        """Panels on a form class that limits choices to the user's scope."""
        from wagtail.admin.panels import ObjectList

        from .forms import ScopedModelForm

        panels = getattr(self, "panels", None)
        if panels is None:
            return super().get_edit_handler()
        return ObjectList(panels, base_form_class=ScopedModelForm).bind_to_model(self.model)

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs["usage_url_name"] = None
        for name in self.disabled_views:
            view_kwargs[f"{name}_url_name"] = None
        return view_kwargs

    def _with_queryset_options(self, kwargs):
        return {
            "list_select_related": self.list_select_related,
            "list_prefetch_related": self.list_prefetch_related,
            **kwargs,
        }

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(**self._with_queryset_options(kwargs))

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(**self._with_queryset_options(kwargs))

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(**self._with_queryset_options(kwargs))

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(**self._with_queryset_options(kwargs))

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(**self._with_queryset_options(kwargs))

    def get_history_view_kwargs(self, **kwargs):
        return super().get_history_view_kwargs(**self._with_queryset_options(kwargs))

    @property
    def url_finder_class(self):
        """Links from choosers and logs go to the edit view, or to inspect where there is none."""
        from wagtail.admin.admin_url_finder import ModelAdminURLFinder

        view = "inspect" if "edit" in self.disabled_views else "edit"
        return type(
            "_ScopedAdminURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name(view)}
        )

    @property
    def add_view(self):
        """A create form posted twice (double click, resend, two tabs) creates one record."""
        return one_time_submission(f"{self.name}:add")(super().add_view)

    def get_urlpatterns(self):
        disabled = set(self.disabled_views) | {
            "usage",
            "history_results" if "history" in self.disabled_views else "",
        }
        return [p for p in super().get_urlpatterns() if p.name not in disabled]
