"""Rules of a ledger entry that hold whatever saves it: the admin form, a lecture record, a fee
filing's approval, an import or the shell.

Both are checked on the model field (Django runs field validators in `full_clean`, which every
entry point calls), so no form is the only place a rule lives.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# An 18-character resident identity card number (GB 11643: 17 digits and a digit or X), or a
# mainland mobile number (11 digits from 13x to 19x), not embedded in a longer run of digits.
_ID_CARD = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def validate_half_hours(value: Decimal | None) -> None:
    """Hours are counted in half hours (1, 1.5, 2 …), the unit the monthly 5-hour bar is read in."""
    if value is not None and (Decimal(value) * 2) % 1:
        raise ValidationError(_("时长以半小时为单位，如 1.5。"), code="half_hours")


def validate_no_personal_numbers(value: str) -> None:
    """A summary (and a fee filing's description, which becomes one) reaches county and city exports: it must not carry a villager's identity card or
    mobile number (PIPL; the field's help text already asks for none)."""
    text = re.sub(r"[\s-]", "", value or "")
    if _ID_CARD.search(text):
        raise ValidationError(
            _("不能填写身份证号码：这段文字会进入工作台账和统计导出，请删除后再保存。"), code="id_card"
        )
    if _MOBILE.search(text):
        raise ValidationError(
            _("不能填写手机号码：这段文字会进入工作台账和统计导出，请删除后再保存。"), code="mobile"
        )
