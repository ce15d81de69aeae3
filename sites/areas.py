"""A site's area: the division code prefixes in its 服务区域代码 (JurisdictionSettings.area_codes).

One rule, used by every way in which area codes arrive (the settings form in the admin,
`full_clean()` in the shell, `save()`, the demo loader): the value is blank (the whole country,
for an installation serving everyone), or one or more well-formed division codes separated by
commas (`4514`, `630105`, `4514,630105`; a full-width comma or spaces are fine). Anything else —
`45l4`, `４５１４`, `4514,abc` or a lone comma — is refused with a message saying what is wrong.

A value that bypassed the rule (a queryset `update()`, a row written before the rule existed) must
never widen a site to the whole country: `prefixes()` then answers `[NOWHERE]`, a prefix no
division code has, so the public side shows no places rather than all of them, and the operator
is told once per process and value in the log which site to correct.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from places import codes

logger = logging.getLogger(__name__)

# No division code starts with "-" (codes are digits), so a filter on this prefix matches nothing.
NOWHERE = "-"


def _parts(value: str) -> list[str]:
    return [p.strip() for p in (value or "").replace("，", ",").split(",")]


def parse(value: str) -> tuple[list[str], list[str]]:
    """(well-formed codes in order without repeats, malformed entries) of an area_codes value."""
    good: list[str] = []
    bad: list[str] = []
    for part in _parts(value):
        if not part:
            continue  # "4514," or "4514,,630105": a stray comma is no code
        if codes.is_valid_code(part):
            if part not in good:
                good.append(part)
        else:
            bad.append(part)
    return good, bad


def normalise(value: str) -> str:
    """The stored form of a valid value: codes separated by plain commas, no spaces, no repeats."""
    return ",".join(parse(value)[0])


def validate_area_codes(value: str) -> None:
    """Refuse a value that is neither blank nor a comma-separated list of division codes."""
    if not (value or "").strip():
        return
    good, bad = parse(value)
    if bad:
        raise ValidationError(
            _(
                "“%(codes)s”不是行政区划代码。代码由 2、4、6、9 或 12 位半角数字组成，如 4514 或 630105，多个用逗号分隔。"
            ),
            code="invalid_area_code",
            params={"codes": "、".join(bad)},
        )
    if not good:
        raise ValidationError(
            _("请填写至少一个行政区划代码（如 4514），或留空表示全部。"), code="no_area_code"
        )


def prefixes(value: str, site_id: int | None = None) -> list[str]:
    """The code prefixes of a stored value; blank is `[]` (everywhere), a bad value `[NOWHERE]`."""
    if not (value or "").strip():
        return []
    good, bad = parse(value)
    if bad or not good:
        _report_bad_value(site_id, value)
        return [NOWHERE]
    return good


@functools.lru_cache(maxsize=64)
def _report_bad_value(site_id: int | None, value: str) -> None:
    """Tell the operator once per process and value; the page itself shows an empty area."""
    logger.error(
        "Site %s: its 辖区设置 服务区域代码 %r is not a list of division codes; the site shows no places "
        "until it is corrected in admin › 设置 › 辖区设置",
        site_id,
        value,
    )
