"""Contracts, advisers and firms with history are ended or deactivated, never deleted.

Hard-deleting an in-force contract made its compliance rows vanish and orphaned its ledger
entries (issue 11). The guard sits on the models (pre_delete), so the admin, the shell and any
queryset delete are refused alike; the back office shows the message instead of deleting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

from backoffice.history import KeptForHistory, referring_rows

from .models import Adviser, Firm, ServiceContract

_state = threading.local()


@contextmanager
def deleting_history() -> Iterator[None]:
    """Let this thread delete records with history: for tests and maintenance scripts that clear
    data on purpose (never the admin, never an import). Everything else is refused."""
    previous = getattr(_state, "allowed", False)
    _state.allowed = True
    try:
        yield
    finally:
        _state.allowed = previous


def _allowed() -> bool:
    return getattr(_state, "allowed", False)


def keep_contract(sender, instance: ServiceContract, **kwargs) -> None:
    if not _allowed() and instance.has_history():
        raise KeptForHistory(
            _(
                "“%(contract)s”已经生效过，这段时间的驻点服务、台账和备案都依赖它，不能删除。"
                "请把状态改为“已解除”，并填写解除日期和原因。"
            )
            % {"contract": instance},
            instance,
        )


def keep_adviser(sender, instance: Adviser, **kwargs) -> None:
    if not _allowed() and referring_rows(instance):
        raise KeptForHistory(
            _("%(name)s 已有合同、台账、备案或培训等记录，不能删除。请把“在岗”改为否（不在岗）。")
            % {"name": instance.name},
            instance,
        )


def keep_firm(sender, instance: Firm, **kwargs) -> None:
    if not _allowed() and referring_rows(instance):
        raise KeptForHistory(
            _("%(name)s 仍有登记的法律顾问及其工作记录，不能删除。") % {"name": instance.name},
            instance,
        )


def connect() -> None:
    pre_delete.connect(keep_contract, sender=ServiceContract, dispatch_uid="advisers.keep_contract")
    pre_delete.connect(keep_adviser, sender=Adviser, dispatch_uid="advisers.keep_adviser")
    pre_delete.connect(keep_firm, sender=Firm, dispatch_uid="advisers.keep_firm")
