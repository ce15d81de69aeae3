"""The workflow engine every flow of the back office uses.

viewflow supplies processes, tasks, gateways and timers; this module adds what the programme needs
and viewflow's own views do not do:

- **Locking.** `ScopedFlow.lock_impl` takes a `SELECT ... FOR UPDATE` row lock on the process on
  PostgreSQL, so two requests acting on one task are serialised and the second finds the task
  done; SQLite (the embedded default, one writer at a time) runs the step in a transaction.
- **Scope.** Who may list, open, claim and execute a task or process is decided here, from the
  user's role (Django groups and permissions) *and* place (`backoffice.scope`): a county bureau
  sees and handles its own county's processes only; an adviser sees the processes about
  themself; a village committee those of its village. Every view goes through these querysets,
  so a task of another county is a 404 whatever its number.
- **History.** Each step leaves a `StepRecord` (who, when, decision, reason) and an audit entry.

Task views are declared on the flow's nodes as usual (`flow.View(SomeView.as_view())`); the
engine's dispatcher (`run_task_view`) finds the task through the scoped queryset, takes the lock,
re-reads the task, checks the user may execute it, and only then hands the request to the view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import lock
from viewflow.workflow.base import Flow
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

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


class ScopedFlow(Flow):
    """Base class of every flow of the back office.

    Subclasses set `process_class` to a `ScopedProcess` subclass, fill in `scope_code` (and
    `adviser` when the decision concerns one) before the start task executes, and may override
    `summary_template` (an include shown on the process and task pages).
    """

    process_class = ScopedProcess
    lock_impl = database_lock
    summary_template = "workflows/includes/process_summary.html"
    #: Short Chinese name used in lists and menus.
    label = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("abstract", False):
            return
        _registry.append(cls)

    def can_start(self, user: User) -> bool:
        return any(node.can_execute(user) for node in self.get_start_nodes())


def registered_flows() -> list[type[ScopedFlow]]:
    return list(_registry)


def flow_by_label(label: str) -> type[ScopedFlow] | None:
    return next((f for f in _registry if f.instance.flow_label == label), None)


# --- who may see what ------------------------------------------------------------------------


def scope_of(user: User):
    from backoffice.scope import scope_for

    return scope_for(user)


def is_head(user: User) -> bool:
    return bool(user.is_authenticated and user.has_perm(SUPERVISE))


def visible_processes(user: User) -> QuerySet[ScopedProcess]:
    """Processes the user may list and open: their role may view processes, and the place fits.

    Advisers see the processes about themself (their filings, renewals, assessments); every other
    account sees the processes whose place lies inside its scope prefixes.
    """
    base = ScopedProcess.objects.filter(flow_class__in=registered_flows())
    if not user.is_authenticated or not user.has_perm(VIEW_PROCESS):
        return base.none()
    scope = scope_of(user)
    if scope.unrestricted:
        return base
    if scope.is_adviser:
        return base.filter(adviser_id=scope.adviser_id)
    return base.filter(scope.q("scope_code"))


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
        .filter(Exists(StepRecord.objects.filter(task=OuterRef("pk"), action=StepRecord.Action.ESCALATED)))
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


# --- history ---------------------------------------------------------------------------------


def record(
    process: ScopedProcess,
    action: str,
    *,
    actor: User | None = None,
    task: Task | None = None,
    reason: str = "",
) -> StepRecord:
    """Leave a step in the process's history and in the audit trail."""
    step = StepRecord.objects.create(
        process_id=process.pk,
        task=task,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        reason=reason,
    )
    _audit(process, step)
    logger.info(
        "workflow %s process=%s task=%s action=%s actor=%s",
        process.flow_class.instance.flow_label if process.flow_class else "?",
        process.pk,
        task.pk if task else "-",
        action,
        step.actor_id or "system",
    )
    return step


def _audit(process: ScopedProcess, step: StepRecord) -> None:
    """Mirror the step into Wagtail's audit log when the back office's log model is installed."""
    try:
        from wagtail.log_actions import log
    except ImportError:  # pragma: no cover -- Wagtail is always installed here
        return
    try:
        log(
            instance=ScopedProcess.objects.get(pk=process.pk),
            action=f"workflows.{step.action}",
            user=step.actor,
            data={"process": process.pk, "task": step.task_id, "action": step.action},
        )
    except Exception:  # the history row is the record; a failing mirror must not undo the step
        logger.exception("workflow audit log failed for process %s", process.pk)


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


def claim(user: User, task_pk: int) -> Task:
    """Take an unassigned task into the user's inbox (viewflow's `assign`)."""
    with locked_task(task_pk) as task:
        if task.status != STATUS.NEW or task.owner_id is not None:
            raise TaskUnavailable(_("该事项已被其他工作人员领取或已办结。"))
        if not can_claim(user, task):
            raise PermissionError
        activation = task.flow_task.activation_class(task)
        activation.assign(user)
        record(task.process, StepRecord.Action.CLAIMED, actor=user, task=task)
        return task


def release(user: User, task_pk: int) -> Task:
    """Hand an assigned task back to the queue of its role."""
    with locked_task(task_pk) as task:
        if task.status != STATUS.ASSIGNED:
            raise TaskUnavailable(_("该事项已办结或正在办理，不能放回。"))
        if not can_release(user, task):
            raise PermissionError
        activation = task.flow_task.activation_class(task)
        activation.unassign()
        record(task.process, StepRecord.Action.RELEASED, actor=user, task=task)
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
        record(task.process, StepRecord.Action.CLAIMED, actor=user, task=task, reason=str(_("局负责人接办")))
        return task


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


def start_process(request, flow_class: type[ScopedFlow], view: Callable) -> Any:
    """Run a flow's start view for the user, viewflow-style (`request.activation` is set)."""
    node = flow_class.instance.get_start_nodes(request.user)
    if not node:
        raise PermissionError
    start = node[0]
    activation = start.activation_class.create(start, None, None)
    activation.start(request)
    request.activation = activation
    if request.method == "POST":
        with transaction.atomic():
            return view(request)
    return view(request)


def open_tasks(process: ScopedProcess) -> QuerySet[Task]:
    return _with_deadline(
        Task.objects.filter(process=process, flow_task_type__in=HUMAN_TASK_TYPES, status__in=OPEN_TASK_STATES)
    ).select_related("owner")


def is_overdue(task: Task, now=None) -> bool:
    deadline = getattr(task, "deadline", None)
    return bool(deadline and task.status in OPEN_TASK_STATES and deadline < (now or timezone.now()))


def process_is_open(process: ScopedProcess) -> bool:
    return process.status not in (PROCESS.DONE, PROCESS.CANCELED)


def flows_startable_by(user: User) -> Iterable[type[ScopedFlow]]:
    return [flow for flow in registered_flows() if flow.instance.can_start(user)]


def review_working_days() -> int:
    return int(getattr(settings, "FEE_FILING_REVIEW_WORKING_DAYS", 5))
