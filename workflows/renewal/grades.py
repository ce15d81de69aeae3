"""Where renewal and payments learn a contract's assessment result, without importing the assessment.

The annual assessment (年度考核, its own flow package) starts renewals (`services.start_for`), so
renewal cannot import it back. Instead the assessment registers a *source* here in its
`AppConfig.ready()`::

    from workflows.renewal import grades
    grades.register(my_source)   # my_source(contract, year) -> grades.Result | None

and the renewal checks ("assessment not 不合格") and the funding page (reward amount, withheld
share) ask `result_for(contract, year)`. With no source registered, or no assessment that year,
the answer is None: "no assessment on record", which the checks show as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from advisers.models import ServiceContract


@dataclass(frozen=True)
class Result:
    """A contract's published (or closed) assessment for a year."""

    grade: str  # the grade's label, e.g. 优秀 / 合格 / 基本合格 / 不合格
    failed: bool  # 不合格
    reward: Decimal = Decimal("0")  # 以案定补 amount recommended, if any
    recommendation: str = ""  # the recommendation's label


Source = Callable[[ServiceContract, int], Result | None]
_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of assessment results (idempotent; usable as a decorator)."""
    if source not in _sources:
        _sources.append(source)
    return source


def unregister(source: Source) -> None:
    if source in _sources:
        _sources.remove(source)


def result_for(contract: ServiceContract, year: int) -> Result | None:
    """The assessment result of `contract` for `year`, from the first source that has one."""
    for source in _sources:
        result = source(contract, year)
        if result is not None:
            return result
    return None
