"""Geometry of the dashboard's server-rendered charts (inline SVG, no JavaScript, readable offline).

Each chart is also given as a table on the page, so that screen readers and exports have the
same numbers.
"""

from __future__ import annotations

import datetime as dt

from .dashboard import Group, Rate

BAR = 16
GAP = 10
LABEL_WIDTH = 150
WIDTH = 660
VALUE_SPACE = 70
TREND_HEIGHT = 180
TREND_LABEL_SPACE = 24


def band(percent: float) -> str:
    if percent >= 100:
        return "full"
    if percent >= 80:
        return "near"
    return "low"


def group_bars(groups: list[Group]) -> dict:
    """Two bars per area: this month's and last month's share of villages meeting the 5 hours."""
    plot = WIDTH - LABEL_WIDTH - VALUE_SPACE
    rows = []
    row_height = 2 * BAR + GAP
    for index, group in enumerate(groups):
        y = index * row_height
        bars = []
        for offset, (kind, figures) in enumerate((("this", group.this_month), ("last", group.last_month))):
            width = round(plot * figures.percent / 100, 1)
            bar_y = y + offset * BAR
            bars.append(
                {
                    "kind": kind,
                    "y": bar_y,
                    "width": width,
                    "percent": figures.percent,
                    "band": band(figures.percent),
                    "text_y": bar_y + BAR * 0.8,
                    "value_x": LABEL_WIDTH + width + 6,
                }
            )
        rows.append({"group": group, "label_y": y + BAR + 5, "bars": bars})
    return {
        "rows": rows,
        "width": WIDTH,
        "height": max(1, len(rows)) * row_height,
        "label_width": LABEL_WIDTH,
        "plot_width": plot,
        "bar_height": BAR - 2,
        "target_x": LABEL_WIDTH + plot,
    }


def trend_columns(trend: list[tuple[dt.date, Rate]]) -> dict:
    """One column per month: the share of villages that met the 5 hours."""
    if not trend:
        return {"columns": []}
    slot = (WIDTH - 40) / len(trend)
    plot = TREND_HEIGHT - TREND_LABEL_SPACE - 20
    columns = []
    for index, (month, figures) in enumerate(trend):
        height = round(plot * figures.percent / 100, 1)
        x = 40 + index * slot
        columns.append(
            {
                "month": month,
                "rate": figures,
                "x": round(x + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(20 + plot - height, 1),
                "height": height,
                "band": band(figures.percent),
                "label_x": round(x + slot / 2, 1),
                "value_y": round(20 + plot - height - 4, 1),
            }
        )
    return {
        "columns": columns,
        "width": WIDTH,
        "height": TREND_HEIGHT,
        "axis_y": 20 + plot,
        "label_y": TREND_HEIGHT - 6,
        "top_y": 20,
    }
