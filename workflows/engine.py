"""The workflow engine every flow of the back office builds on (a small framework over viewflow).

viewflow supplies processes, tasks, gateways and timers; this module adds what the programme needs
and viewflow's own views do not do. What a flow's author writes is in `workflows/README.md`.

- **Declarations on the flow class** (`ScopedFlow`): its label, the decisions of each human step
  with their labels (`Decision`), the time limit of each human step in working days (`TimeLimit`,
  from a setting and optionally a per-county setting), the e-mail sent when a step is overdue
  (`Notification`, Django templates), the step actions its history may hold, its start form.
- **Starting from code** (`start`, `start_many`): through the flow's `flow.StartHandle` node
  (`node.run(...)`, viewflow's API for starting from code), singly or in bulk in one transaction
  (all or none), scope-checked for the acting user, each start recorded in the history.
- **Driving a task from code** (`execute`): the node's activation, started and executed under the
  process lock, with the flow's `perform_<node>` method doing the step; the web views run the same
  activation (`run_task_view`).
- **Locking.** `ScopedFlow.lock_impl` takes a `SELECT ... FOR UPDATE` row lock on the process on
  PostgreSQL, so two requests acting on one task are serialised and the second finds the task
  done; SQLite (the embedded default, one writer at a time) runs the step in a transaction.
- **Scope.** Who may list and open a process is decided by the back office's scope registry
  (`backoffice.scope.scoped`, with the rule `roles.register_scope` registers for every process
  model); who may claim and execute a task adds the role (Django permissions) to that.
- **History.** Each step leaves a `StepRecord` (who, when, action, reason, details) and an audit
  entry; overdue human steps are escalated to the bureau heads in scope, by e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import lock
from viewflow.workflow.base import Flow
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from backoffice import scope as back_office_scope
from places import codes

from . import workdays
from .models import ScopedProcess, StepRecord

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser

#: Role (Django group) of a bureau's head, to whom overdue tasks are escalated. A county
#: bureau's head is also a member of the county bureau role; this group adds the right to
#: take over or hand back any open task in their scope.
BUREAU_HEAD = "司法局负责人"
SUPERVISE = "workflows.supervise_scopedprocess"
VIEW_PROCESS = "workflows.view_scopedprocess"

OPEN_TASK_STATES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
HUMAN_TASK_TYPES = ("HUMAN",)

#: Step actions the engine itself records, for every flow.
CLAIMED, RELEASED, ESCALATED, STARTED = "claimed", "released", "escalated", "started"
ENGINE_ACTIONS: dict[str, Any] = {
    STARTED: _("发起"),
    CLAIMED: _("领取"),
    RELEASED: _("放回待领取"),
    ESCALATED: _("超期，已升级至局负责人"),
}


# --- what a flow declares ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One outcome of a human step: its code, the label the form shows, and what it records.

    `action` is the step action written to the history (default: the code itself) and
    `action_label` its label there. A decision other than an approval usually needs a reason the
    adviser and the committee can read (`reason_required`, checked by `ScopedFlow.check_decision`
    whatever the entry point: form, code or import).
    """

    value: str
    label: Any
    action: str = ""
    action_label: Any = None
    reason_required: bool = True

    @property
    def step_action(self) -> str:
        return self.action or self.value


@dataclass(frozen=True)
class TimeLimit:
    """The time limit of a human step in working days (限时办结制, `workflows.workdays`).

    `setting` names a Django setting that overrides `working_days` for the whole deployment;
    `county_setting` names a setting holding a mapping of county code (6 digits) to working days,
    for the counties that set their own limit. The deadline is the end of the N-th working day
    after the task is created.
    """

    working_days: int = 5
    setting: str = ""
    county_setting: str = ""

    def days_for(self, scope_code: str = "") -> int:
        days = int(getattr(settings, self.setting, self.working_days)) if self.setting else self.working_days
        if self.county_setting and scope_code:
            per_county: Mapping[str, int] = getattr(settings, self.county_setting, None) or {}
            county = scope_code[: codes.CODE_LENGTHS[codes.COUNTY]]
            if county in per_county:
                days = int(per_county[county])
        if days < 1:
            raise ValueError(f"time limit {self.setting or 'working_days'} must be at least 1 working day")
        return days


@dataclass(frozen=True)
class Notification:
    """An e-mail a flow sends: Django templates for the subject (one line) and the plain body.

    The templates get `flow` (the flow class), `process`, `task`, `url` (the task's admin page)
    and `due` (the deadline, when there is one). No personal data belongs in them.
    """

    subject_template: str
    body_template: str

    def render(self, context: dict[str, Any]) -> tuple[str, str]:
        subject = " ".join(render_to_string(self.subject_template, context).split())
        body = render_to_string(self.body_template, context).strip()
        return subject, body


class DatabaseLock:
    """`select_for_update_lock` on PostgreSQL, a plain transaction elsewhere (SQLite).

    Chosen per call rather than at import, so the same flow class serves a test run on either
    database. SQLite serialises writers itself; PostgreSQL needs the row lock so that two
    simultaneous submissions of one approval make one completion.
    """

    @contextmanager
    def __call__(self, flow_class: type[Flow], process_pk: int):
        impl = lock.select_for_update_lock if connection.vendor == "postgresql" else lock.no_lock
        with impl(flow_class, process_pk):
            yield


database_lock = DatabaseLock()

_registry: list[type[ScopedFlow]] = []


class StartFailed(Exception):
    """Starting processes from code failed; nothing was started. `index` is the row that failed."""

    def __init__(self, index: int, error: Exception):
        self.index = index
        self.error = error
        super().__init__(f"row {index}: {error}")


class ScopedFlow(Flow):
    """Base class of every flow of the back office: what the engine reads from a flow.

    A subclass sets `process_class` to a `ScopedProcess` subclass and declares, as class
    attributes: `label` and `slug` (its start address is /admin/workflows/<slug>/new/),
    `decisions`, `time_limits`, `actions`, `escalation_mail`, `start_view` (the start form), and
    implements `prepare(activation, user, **row)` (fill in a new process from a row of data) and a
    `perform_<node>(activation, user, **data)` method for each human step driven from code.
    """

    process_class = ScopedProcess
    lock_impl = database_lock
    summary_template = "workflows/includes/process_summary.html"
    #: Short Chinese name used in lists and menus.
    label: Any = ""
    #: Address part of the flow's start page (/admin/workflows/<slug>/new/); "" for no start page.
    slug = ""
    #: Label of the start button (待办事项 header, home panel).
    start_label: Any = ""
    #: A class-based view (subclass of `workflows.views.start.StartFormView`) for the start page.
    start_view: Any = None
    #: Permission (besides the scope) a user needs to start the flow; "" for any signed-in user.
    start_permission = ""
    #: Message of the 403 page when someone who may not start the flow opens its start page.
    start_refused: Any = _("您没有发起此流程的权限。")
    #: Step action recorded when a process starts.
    start_action = STARTED
    #: The flow's own step actions (code -> label), besides the engine's and the decisions'.
    actions: Mapping[str, Any] = {}
    #: Decisions of each human step: node name -> the step's decisions.
    decisions: Mapping[str, Sequence[Decision]] = {}
    #: Time limit of each human step: node name -> TimeLimit. Attach it with
    #: `.OnTimeout(this.deadline, this.escalate, interrupting=False)` on the node.
    time_limits: Mapping[str, TimeLimit] = {}
    #: The e-mail to the bureau heads when a step is overdue.
    escalation_mail = Notification(
        "workflows/mail/escalated_subject.txt", "workflows/mail/escalated_body.txt"
    )
    #: Permission of the staff who may see a process's private details (e.g. a client's name),
    #: besides the adviser concerned and the bureau heads in scope.
    private_permission = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        from .roles import register_process_scope

        register_process_scope(cls.process_class)
        _registry.append(cls)

    # --- declarations, read by the engine and the generic views ---

    @classmethod
    def step_actions(cls) -> dict[str, Any]:
        """Every action this flow's history may hold, with its label."""
        actions = dict(ENGINE_ACTIONS)
        actions.update(cls.actions)
        for decisions in cls.decisions.values():
            for decision in decisions:
                actions[decision.step_action] = decision.action_label or decision.label
        return actions

    @classmethod
    def decisions_of(cls, node_name: str) -> Sequence[Decision]:
        return cls.decisions.get(node_name, ())

    @classmethod
    def decision_choices(cls, node_name: str) -> list[tuple[str, Any]]:
        return [(decision.value, decision.label) for decision in cls.decisions_of(node_name)]

    @classmethod
    def check_decision(cls, node_name: str, value: str, reason: str = "") -> tuple[Decision, str]:
        """The declared rules of a decision (known code, reason when required); the clean reason."""
        decision = next((d for d in cls.decisions_of(node_name) if d.value == value), None)
        if decision is None:
            raise ValidationError({"decision": _("请选择审核意见。")})
        reason = (reason or "").strip()
        if decision.reason_required and not reason:
            raise ValidationError({"reason": _("请填写理由。")})
        return decision, reason

    @classmethod
    def working_days(cls, node_name: str, scope_code: str = "") -> int:
        limit = cls.time_limits.get(node_name)
        if limit is None:
            raise LookupError(f"{cls.__name__}.{node_name} declares no time limit")
        return limit.days_for(scope_code)

    def deadline(self, activation) -> dt.datetime:
        """The timer's due moment: N working days (the host step's limit) from now (`OnTimeout`)."""
        host = getattr(activation.flow_task, "_attached_to", None) or activation.flow_task
        process = activation.process
        days = type(self).working_days(host.name, getattr(process, "scope_code", ""))
        return workdays.deadline_after(timezone.now(), days)

    def may_start(self, user: User) -> bool:
        """Whether the user may start this flow at all (the scope of each process is checked too)."""
        if not user.is_authenticated:
            return False
        return not self.start_permission or user.has_perm(self.start_permission)

    def can_start(self, user: User) -> bool:
        return self.may_start(user)

    def state_label(self, process: ScopedProcess) -> Any:
        """The process's state for lists ("" for the engine's 办理中/已办结)."""
        return ""

    def can_see_private(self, user: User, process: ScopedProcess) -> bool:
        """Private details of a process (a client's name): the adviser concerned, the competent
        staff (`private_permission`) and the bureau heads in scope."""
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        user_scope = back_office_scope.scope_for(user)
        if user_scope.is_adviser:
            return getattr(process, "adviser_id", None) == user_scope.adviser_id
        return bool(self.private_permission and user.has_perm(self.private_permission)) or is_head(user)

    def get_urls(self) -> list:
        """Extra admin URL patterns of the flow, mounted under /admin/workflows/."""
        return []

    # --- starting from code: the StartHandle's function ---

    def start_from_code(self, activation, *, _engine_user, _engine_scope, **row):
        """`flow.StartHandle(this.start_from_code)`: fill in the new process and check its scope."""
        process = activation.process
        process.created_by = _engine_user
        activation.task.owner = _engine_user
        self.prepare(activation, _engine_user, **row)
        if not process.scope_code:
            raise ValidationError(_("流程缺少所涉区划。"))
        if not _covers(_engine_scope, process):
            raise PermissionError(gettext("不在您的管辖范围内：%(code)s") % {"code": process.scope_code})
        return activation

    def prepare(self, activation, user: User, **row) -> None:
        """Fill in `activation.process` from a row of data and validate it (raise ValidationError)."""
        raise NotImplementedError(f"{type(self).__name__} must implement prepare()")

    def after_start(self, activation, user: User, **row) -> None:
        """Once the process is saved (e.g. attach files); runs inside the start's transaction."""

    # --- driving a human step from code ---

    def perform(self, activation, user: User, **data) -> Any:
        """Do the step of `activation`'s node (the flow's `perform_<node>` method)."""
        method = getattr(self, f"perform_{activation.flow_task.name}", None)
        if method is None:
            raise LookupError(f"{type(self).__name__} has no perform_{activation.flow_task.name}()")
        return method(activation, user, **data)

    # --- escalation of overdue steps ---

    def escalate_overdue(self, activation) -> None:
        """`flow.Function(this.escalate_overdue)` after an `OnTimeout`: flag the step, tell the heads."""
        timer = activation.task.previous.first()
        host = timer.previous.first() if timer else None
        if host is None or host.status not in OPEN_TASK_STATES:
            return
        process = activation.process
        due = timezone.localtime(timer.scheduled) if timer.scheduled else None
        reason = gettext("办理期限（%(due)s）已过，事项仍未办结。") % {
            "due": due.strftime("%Y-%m-%d %H:%M") if due else "—"
        }
        host.data = {**(host.data or {}), "escalated_at": timezone.now().isoformat()}
        host.save(update_fields=["data"])
        record(
            process, ESCALATED, task=host, reason=reason, details={"due": due.isoformat() if due else None}
        )
        flow_class = type(self)
        transaction.on_commit(lambda: notify_heads(flow_class, process.pk, host.pk))

    def escalation_recipients(self, process: ScopedProcess) -> list[str]:
        """E-mail addresses of the bureau heads whose scope covers the process."""
        heads = (
            get_user_model().objects.filter(is_active=True, groups__name=BUREAU_HEAD, email__gt="").distinct()
        )
        return [user.email for user in heads if back_office_scope.scope_for(user).covers(process.scope_code)]


def _covers(user_scope, process: ScopedProcess) -> bool:
    if user_scope.unrestricted:
        return True
    if user_scope.is_adviser:
        return process.adviser_id == user_scope.adviser_id and user_scope.covers(process.scope_code)
    return user_scope.covers(process.scope_code)


def registered_flows() -> list[type[ScopedFlow]]:
    return list(_registry)


def flow_by_label(label: str) -> type[ScopedFlow] | None:
    """The flow whose viewflow label (e.g. "flow/feefiling") or slug (e.g. "fee-filings") is `label`."""
    return next((f for f in _registry if label in (f.instance.flow_label, f.slug)), None)


def flow_of(process: ScopedProcess) -> type[ScopedFlow] | None:
    flow_class = process.flow_class
    return flow_class if flow_class in _registry else None


# --- who may see what ------------------------------------------------------------------------


def is_head(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm(SUPERVISE))


def visible_processes(user: User) -> QuerySet[ScopedProcess]:
    """Processes the user may list and open: their role may view processes, and the scope registry
    lets them reach the process (advisers: their own; other accounts: their place prefixes)."""
    base = ScopedProcess.objects.filter(flow_class__in=registered_flows())
    if not user.is_authenticated or not user.has_perm(VIEW_PROCESS):
        return base.none()
    return back_office_scope.scoped(base, user)


def visible_tasks(user: User) -> QuerySet[Task]:
    """Tasks of the processes the user may see (the only way views look a task up)."""
    return Task.objects.filter(process__in=visible_processes(user).values("pk")).select_related("process")


def _with_deadline(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate each task with the moment its time-limit timer fires (None when it has none)."""
    timers = Task.objects.filter(
        previous=OuterRef("pk"), flow_task_type="TIMER", status__in=[STATUS.SCHEDULED, STATUS.DONE]
    ).order_by("scheduled")
    return tasks.annotate(deadline=Subquery(timers.values("scheduled")[:1]))


def human_tasks(user: User) -> QuerySet[Task]:
    return _with_deadline(visible_tasks(user).filter(flow_task_type__in=HUMAN_TASK_TYPES))


def inbox(user: User) -> QuerySet[Task]:
    """Open tasks assigned to the user."""
    return (
        human_tasks(user).filter(owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED]).order_by("created")
    )


def _permission_q(user: User) -> Q:
    if user.is_superuser:
        return Q(owner_permission__isnull=False) | Q(owner_permission__isnull=True)
    return Q(owner_permission__in=user.get_all_permissions())


def queue(user: User) -> QuerySet[Task]:
    """Unassigned tasks the user's role may take, in processes inside the user's place scope."""
    if not user.is_authenticated:
        return Task.objects.none()
    return (
        human_tasks(user)
        .filter(status=STATUS.NEW, owner__isnull=True)
        .exclude(owner_permission__isnull=True)
        .exclude(owner_permission="")
        .filter(_permission_q(user))
        .order_by("created")
    )


def escalated(user: User) -> QuerySet[Task]:
    """Open tasks past their time limit that were escalated, for a bureau head in scope."""
    if not is_head(user):
        return Task.objects.none()
    return (
        human_tasks(user)
        .filter(status__in=OPEN_TASK_STATES)
        .filter(Exists(StepRecord.objects.filter(task=OuterRef("pk"), action=ESCALATED)))
        .order_by("created")
    )


def archive(user: User) -> QuerySet[Task]:
    """Tasks the user completed."""
    return human_tasks(user).filter(owner=user, status=STATUS.DONE).order_by("-finished")


def counts(user: User) -> dict[str, int]:
    """Numbers for the admin menu and dashboard; `waiting` counts each task once (an escalated
    task is also in the queue or someone's inbox)."""
    mine = set(inbox(user).values_list("pk", flat=True))
    claimable = set(queue(user).values_list("pk", flat=True))
    overdue = set(escalated(user).values_list("pk", flat=True)) if is_head(user) else set()
    return {
        "inbox": len(mine),
        "queue": len(claimable),
        "escalated": len(overdue),
        "waiting": len(mine | claimable | overdue),
    }


def claim_permissions() -> set[str]:
    """The role permissions that make a user take tasks from a queue (e.g. review_feefiling)."""
    names = set()
    for flow in registered_flows():
        for node in flow.instance.nodes():
            permission = getattr(node, "_owner_permission", None)
            if isinstance(permission, str) and permission:
                names.add(permission)
    return names


def takes_tasks_from_queue(user: User) -> bool:
    return user.is_superuser or any(user.has_perm(name) for name in claim_permissions())


def can_claim(user: User, task: Task) -> bool:
    return queue(user).filter(pk=task.pk).exists()


def can_execute(user: User, task: Task) -> bool:
    return (
        user.is_authenticated
        and task.owner_id == user.pk
        and task.status in (STATUS.ASSIGNED, STATUS.STARTED)
        and visible_tasks(user).filter(pk=task.pk).exists()
    )


def can_release(user: User, task: Task) -> bool:
    """The owner may hand a task back; a bureau head may take it back from anyone in scope."""
    if task.status not in (STATUS.ASSIGNED, STATUS.STARTED) or not task.owner_permission:
        return False
    if task.owner_id == user.pk:
        return True
    return is_head(user) and visible_tasks(user).filter(pk=task.pk).exists()


def can_take_over(user: User, task: Task) -> bool:
    """A bureau head may take an open, role-assigned task into their own inbox."""
    return (
        is_head(user)
        and bool(task.owner_permission)
        and task.status in (STATUS.NEW, STATUS.ASSIGNED)
        and task.owner_id != user.pk
        and visible_tasks(user).filter(pk=task.pk).exists()
        and (user.is_superuser or user.has_perm(task.owner_permission))
    )


def flows_startable_by(user: User) -> Iterable[type[ScopedFlow]]:
    return [flow for flow in registered_flows() if flow.instance.may_start(user)]


def start_url(flow_class: type[ScopedFlow]) -> str:
    """The flow's start page ("" when it has none: started from code only)."""
    if not flow_class.slug or flow_class.start_view is None:
        return ""
    return reverse("workflows_start", args=[flow_class.slug])


# --- history ---------------------------------------------------------------------------------


def record(
    process: ScopedProcess,
    action: str,
    *,
    actor: User | None = None,
    task: Task | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> StepRecord:
    """Leave a step in the process's history and in the audit trail.

    `action` must be one the process's flow declares (`ScopedFlow.step_actions()`), so the
    history never holds a code nobody can label.
    """
    flow_class = process.flow_class
    if (
        flow_class is not None
        and hasattr(flow_class, "step_actions")
        and action not in flow_class.step_actions()
    ):
        raise ValueError(f"{flow_class.__name__} declares no step action {action!r}")
    step = StepRecord.objects.create(
        process_id=process.pk,
        task=task,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        reason=reason,
        details=details or {},
    )
    _audit(process, step)
    logger.info(
        "workflow %s process=%s task=%s action=%s actor=%s",
        flow_class.instance.flow_label if flow_class else "?",
        process.pk,
        task.pk if task else "-",
        action,
        step.actor_id or "system",
    )
    return step


def _log_base(process: ScopedProcess) -> ScopedProcess:
    """The engine's model instance the audit entry is logged against (the one the log actions
    are registered for), built from the process in hand rather than read again."""
    if type(process) is ScopedProcess:
        return process
    if isinstance(process, ScopedProcess):
        return ScopedProcess(
            pk=process.pk,
            flow_class=process.flow_class,
            scope_code=process.scope_code,
            adviser_id=process.adviser_id,
        )
    return ScopedProcess.objects.get(pk=process.pk)  # a task's plain viewflow process


def _audit_data(process: ScopedProcess, step: StepRecord) -> dict[str, Any]:
    return {
        "process": process.pk,
        "task": step.task_id,
        "action": step.action,
        "reason": step.reason,
        "system": step.actor_id is None,
    }


def _audit(process: ScopedProcess, step: StepRecord) -> None:
    """Mirror the step into Wagtail's audit log (the back office's log model)."""
    from wagtail.log_actions import LogContext, log

    try:
        base = _log_base(process)
        # A savepoint: a failing mirror (the history row is the record) must not undo the step.
        # An automatic step (no actor: a timer, a rule) is 系统's in the log as on the process
        # page; without the empty context Wagtail would credit whoever's request ran it.
        with transaction.atomic(), LogContext(user=step.actor):
            log(
                instance=base,
                action=f"workflows.{step.action}",
                user=step.actor,
                data=_audit_data(process, step),
            )
    except Exception:
        logger.exception("workflow audit log failed for process %s", process.pk)


def _audit_many(steps: Sequence[tuple[ScopedProcess, StepRecord]]) -> None:
    """`_audit` for many steps at once: the same entries, written with one bulk insert.

    Wagtail's `log()` writes one row per call (and `_audit` a savepoint around each); for a bulk
    start that was about a third of each process's cost. The entries are built the way Wagtail's
    `log_action` and the back office's `ProgrammeLogEntryManager.log_action` build them (content
    type, title, object id, one log-context uuid per entry, the record's place code) and go in
    under one savepoint: a failing mirror is logged and undoes no step, as in `_audit`.
    """
    import uuid

    from django.contrib.contenttypes.models import ContentType
    from wagtail.log_actions import registry

    if not steps:
        return
    try:
        bases = [_log_base(process) for process, _step in steps]
        model = registry.get_log_model_for_instance(bases[0])
        if model is None:  # no log model registered for processes: Wagtail would log nothing
            return
        content_type = ContentType.objects.get_for_model(bases[0], for_concrete_model=False)
        with_place = any(field.name == "place_code" for field in model._meta.concrete_fields)
        entries = []
        for base, (process, step) in zip(bases, steps, strict=True):
            fields: dict[str, Any] = {
                "content_type": content_type,
                "label": model.objects.get_instance_title(base),
                "action": f"workflows.{step.action}",
                "timestamp": step.at,
                "data": _audit_data(process, step),
                "user": step.actor,
                "uuid": uuid.uuid4(),
                "object_id": str(base.pk),
            }
            if with_place:
                fields["place_code"] = back_office_scope.place_code_of(base)
            entries.append(model(**fields))
        with transaction.atomic():
            model.objects.bulk_create(entries, batch_size=500)
    except Exception:
        logger.exception("workflow audit log failed for %d started process(es)", len(steps))


def _record_starts(
    flow_class: type[ScopedFlow], starts: Sequence[tuple[ScopedProcess, Task, dt.datetime]], user: User
) -> None:
    """The start step of each new process (history and audit), in two bulk inserts.

    Same rows as `record(process, flow_class.start_action, actor=user, task=task)` per process;
    each step keeps the moment its process started, so the history's order (by time) is the same
    even when `after_start` recorded steps of its own first.
    """
    action = flow_class.start_action
    if action not in flow_class.step_actions():
        raise ValueError(f"{flow_class.__name__} declares no step action {action!r}")
    actor = user if user is not None and user.is_authenticated else None
    steps = StepRecord.objects.bulk_create(
        [
            StepRecord(process_id=process.pk, task=task, actor=actor, action=action, at=at, details={})
            for process, task, at in starts
        ],
        batch_size=500,
    )
    _audit_many([(process, step) for (process, _task, _at), step in zip(starts, steps, strict=True)])


# --- starting processes from code ------------------------------------------------------------


def _start_node(flow_class: type[ScopedFlow], node_name: str | None):
    from viewflow.workflow.nodes import StartHandle

    if node_name:
        node = flow_class.instance.node(node_name)
    else:
        node = next((n for n in flow_class.instance.nodes() if isinstance(n, StartHandle)), None)
    if node is None or not isinstance(node, StartHandle):
        raise LookupError(f"{flow_class.__name__} has no flow.StartHandle node {node_name or ''}".strip())
    return node


def start(flow_class: type[ScopedFlow], user: User, *, node: str | None = None, **row) -> ScopedProcess:
    """Start one process of `flow_class` as `user` from a row of data (see `start_many`).

    Raises PermissionError when the user may not start the flow or the process lies outside the
    user's scope, ValidationError when the row is invalid; nothing is saved then.
    """
    try:
        return start_many(flow_class, [row], user=user, node=node)[0]
    except StartFailed as failed:
        raise failed.error from failed


def start_many(
    flow_class: type[ScopedFlow], rows: Iterable[Mapping[str, Any]], *, user: User, node: str | None = None
) -> list[ScopedProcess]:
    """Start one process per row through the flow's `flow.StartHandle` node, all or none.

    Each row goes to the flow's `prepare(activation, user, **row)`; the process must lie inside
    the user's scope (an adviser: their own). Everything runs in one transaction: if any row
    fails, StartFailed (with the row's index and the error) is raised and no process, task, step
    record or audit entry remains. The user's permission, scope and the start node are looked up
    once for all rows, and the start steps (history and audit) are written in bulk after the
    last row, inside the same transaction.
    """
    if user is None or not user.is_authenticated:
        raise PermissionError("starting a process needs a signed-in account")
    flow = flow_class.instance
    if not flow.may_start(user):
        raise PermissionError(f"{user.get_username()} may not start {flow_class.__name__}")
    handle = _start_node(flow_class, node)
    user_scope = back_office_scope.scope_for(user)
    started: list[ScopedProcess] = []
    starts: list[tuple[ScopedProcess, Task, dt.datetime]] = []
    with transaction.atomic():
        for index, row in enumerate(rows):
            try:
                # No savepoint per row: any failure abandons the whole batch anyway.
                activation = handle.run(_engine_user=user, _engine_scope=user_scope, **row)
                at = timezone.now()
                process = activation.process
                flow.after_start(activation, user, **row)
            except (ValidationError, PermissionError, ValueError, LookupError) as exc:
                logger.info("workflow %s: start refused at row %d", flow.flow_label, index)
                raise StartFailed(index, exc) from exc
            started.append(process)
            starts.append((process, activation.task, at))
        # The start steps once every row is in: two bulk inserts instead of two rows and a
        # savepoint per process. An undeclared start action fails the batch at row 0.
        try:
            _record_starts(flow_class, starts, user)
        except ValueError as exc:
            raise StartFailed(0, exc) from exc
    logger.info("workflow %s: %d process(es) started by %s", flow.flow_label, len(started), user.pk)
    return started


# --- acting on tasks -------------------------------------------------------------------------


class TaskUnavailable(Exception):
    """The task was finished, taken or cancelled meanwhile (a message for the user)."""


@contextmanager
def locked_task(task_pk: int):
    """The task, re-read under its process's lock, inside a transaction."""
    task = Task.objects.select_related("process").get(pk=task_pk)
    flow_class = task.process.flow_class
    try:
        with flow_class.lock(task.process_id), transaction.atomic():
            fresh = Task.objects.select_related("process").get(pk=task_pk)
            yield fresh
    except FlowLockFailed as exc:
        logger.warning("workflow lock busy for process %s (task %s)", task.process_id, task_pk)
        raise TaskUnavailable(_("该事项正由他人办理，请稍后再试。")) from exc


def _claim_locked(user: User, task: Task) -> Task:
    if task.status != STATUS.NEW or task.owner_id is not None:
        raise TaskUnavailable(_("该事项已被其他工作人员领取或已办结。"))
    if not can_claim(user, task):
        raise PermissionError
    activation = task.flow_task.activation_class(task)
    activation.assign(user)
    record(task.process, CLAIMED, actor=user, task=task)
    return task


def claim(user: User, task_pk: int) -> Task:
    """Take an unassigned task into the user's inbox (viewflow's `assign`)."""
    with locked_task(task_pk) as task:
        return _claim_locked(user, task)


def release(user: User, task_pk: int) -> Task:
    """Hand an assigned task back to the queue of its role."""
    with locked_task(task_pk) as task:
        if task.status != STATUS.ASSIGNED:
            raise TaskUnavailable(_("该事项已办结或正在办理，不能放回。"))
        if not can_release(user, task):
            raise PermissionError
        activation = task.flow_task.activation_class(task)
        activation.unassign()
        record(task.process, RELEASED, actor=user, task=task)
        return task


def take_over(user: User, task_pk: int) -> Task:
    """A bureau head takes an (overdue) task into their own inbox."""
    with locked_task(task_pk) as task:
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            raise TaskUnavailable(_("该事项已办结或正在办理。"))
        if not can_take_over(user, task):
            raise PermissionError
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.ASSIGNED:
            activation.reassign(user)
        else:
            activation.assign(user)
        record(task.process, CLAIMED, actor=user, task=task, reason=str(_("局负责人接办")))
        return task


def execute(user: User, task_pk: int, *, claim_first: bool = True, **data) -> Any:
    """Do a human task from code as `user`: the node's activation under the process lock.

    The task is re-read under the lock; an unassigned task the user may claim is claimed first
    (`claim_first`), then it must be the user's. The activation is started, the flow's
    `perform_<node>(activation, user, **data)` does the step (and may raise ValidationError:
    nothing is saved then), and the activation is executed, which moves the flow on. Returns
    what `perform_<node>` returned.
    """
    with locked_task(task_pk) as task:
        if claim_first and task.status == STATUS.NEW and task.owner_id is None:
            _claim_locked(user, task)
        if task.status not in (STATUS.ASSIGNED, STATUS.STARTED) or task.owner_id != user.pk:
            raise TaskUnavailable(_("该事项已办结或已不在您的待办中，未作任何改动。"))
        if not can_execute(user, task):
            raise PermissionError
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.ASSIGNED:
            # A View node's activation reads nothing from its argument (only start views read
            # request.user); there is no request here.
            activation.start(None)
        with transaction.atomic():
            result = task.flow_task.flow_class.instance.perform(activation, user, **data)
            activation.execute()
        return result


def run_task_view(request, task: Task, view: Callable) -> Any:
    """Hand a request to the task's node view with `request.activation` set, viewflow-style.

    GET renders the form without changing anything. POST runs under the process lock: the task
    is re-read, must still be assigned to this user, and is started and executed by the view
    inside one transaction, so a second simultaneous POST finds it done and changes nothing.
    """
    if request.method != "POST":
        request.activation = task.flow_task.activation_class(task)
        return view(request, process_pk=task.process_id, task_pk=task.pk)
    with locked_task(task.pk) as fresh:
        if fresh.status not in (STATUS.ASSIGNED, STATUS.STARTED) or fresh.owner_id != request.user.pk:
            raise TaskUnavailable(_("该事项已办结或已不在您的待办中，未作任何改动。"))
        activation = fresh.flow_task.activation_class(fresh)
        if fresh.status == STATUS.ASSIGNED:
            # In memory only: if the form is invalid nothing is saved and the task stays assigned.
            activation.start(request)
        request.activation = activation
        return view(request, process_pk=fresh.process_id, task_pk=fresh.pk)


def open_tasks(process: ScopedProcess) -> QuerySet[Task]:
    return _with_deadline(
        Task.objects.filter(process=process, flow_task_type__in=HUMAN_TASK_TYPES, status__in=OPEN_TASK_STATES)
    ).select_related("owner")


def is_overdue(task: Task, now=None) -> bool:
    deadline = getattr(task, "deadline", None)
    return bool(deadline and task.status in OPEN_TASK_STATES and deadline < (now or timezone.now()))


def process_is_open(process: ScopedProcess) -> bool:
    return process.status not in (PROCESS.DONE, PROCESS.CANCELED)


# --- notification ----------------------------------------------------------------------------


def notify(
    flow_class: type[ScopedFlow],
    notification: Notification,
    recipients: Sequence[str],
    *,
    process: ScopedProcess,
    task: Task | None = None,
    **context,
) -> bool:
    """Send a flow's e-mail (Django's mail); a failure is logged, never raised (mail is a courtesy:
    the step is recorded and shown in the admin). Returns whether a message went out."""
    if not recipients:
        return False
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    url = base + (
        reverse("workflows_task", args=[task.pk]) if task else reverse("workflows_process", args=[process.pk])
    )
    subject, body = notification.render(
        {
            "flow": flow_class,
            "label": flow_class.label or flow_class.process_title,
            "process": process,
            "task": task,
            "url": url,
            **context,
        }
    )
    try:
        send_mail(subject, body, None, list(recipients))
    except Exception:
        logger.warning("workflow mail for process %s could not be sent", process.pk, exc_info=True)
        return False
    return True


def notify_heads(flow_class: type[ScopedFlow], process_pk: int, task_pk: int) -> None:
    """E-mail the bureau heads whose scope covers the process about an overdue step."""
    process = flow_class.process_class.objects.filter(pk=process_pk).first()
    task = Task.objects.filter(pk=task_pk).first()
    if process is None:
        return
    recipients = flow_class.instance.escalation_recipients(process)
    if not recipients:
        logger.info("workflow escalation of process %s: no bureau head with an e-mail address", process_pk)
        return
    timer = (
        Task.objects.filter(previous=task, flow_task_type="TIMER").order_by("scheduled").first()
        if task
        else None
    )
    due = timezone.localtime(timer.scheduled) if timer and timer.scheduled else None
    notify(flow_class, flow_class.escalation_mail, recipients, process=process, task=task, due=due)
