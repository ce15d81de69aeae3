"""Text filters for public templates."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A character and the short bracketed word after it: 村(社区), 村（居）.
_BRACKETED = re.compile(r"\S[(（][^()（）]{1,4}[)）]")


@register.filter
def keep_brackets(value: object) -> SafeString:
    """Escape `value` and keep each short bracketed word on one line with the character before it.

    Chinese wraps between any two characters, so a narrow phone header splits 村(社区) into
    "村(社" and "区)", which reads as nonsense; the bracketed group may move to the next line whole.
    """
    text = str(value)
    parts: list[str] = []
    last = 0
    for match in _BRACKETED.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(format_html('<span class="nobr">{}</span>', match.group(0)))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 -- every part is escaped above
