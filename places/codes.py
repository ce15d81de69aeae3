"""Division codes (统计用区划代码): 2 digits province, 4 city, 6 county, 9 township, 12 village.

A staff member's scope and a deployment's area are code prefixes, so most questions about
"which places are inside X" reduce to string arithmetic here.
"""

from __future__ import annotations

import re

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
CODE_LENGTHS = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}
# ASCII digits only: \d would also accept full-width "１２" typed on a Chinese keyboard.
_CODE_RE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$", re.ASCII)


def is_valid_code(code: str) -> bool:
    """A well-formed code of any level (digits only, one of the five official lengths)."""
    return bool(_CODE_RE.match(code or ""))


def level_of(code: str) -> int | None:
    """The level a code belongs to, or None when the code is malformed."""
    if not is_valid_code(code):
        return None
    return LEVEL_BY_LENGTH[len(code)]


def parent_code(code: str) -> str | None:
    """The code of the enclosing division, or None for a province."""
    level = level_of(code)
    if level is None or level == PROVINCE:
        return None
    return code[: CODE_LENGTHS[level - 1]]


def ancestor_codes(code: str) -> list[str]:
    """Codes of all enclosing divisions, outermost first."""
    level = level_of(code)
    if level is None:
        return []
    return [code[: CODE_LENGTHS[lv]] for lv in range(PROVINCE, level)]


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`.

    Codes are digits, so ":" (the character after "9") closes the range. A range on the primary
    key uses its index on every database, which `LIKE 'prefix%'` does not on PostgreSQL with a
    non-C collation.
    """
    return prefix + ":"
