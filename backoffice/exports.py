"""CSV and XLSX files for Chinese spreadsheet users.

CSV files start with a UTF-8 byte-order mark, without which Excel on Windows shows Chinese as
mojibake; cells that a spreadsheet would run as a formula are prefixed with an apostrophe
(CSV injection).

Large exports (a city's ledger is tens of thousands of rows) are never cut: CSV streams row by
row (`csv_streaming_response`), and XLSX is written in openpyxl's write-only mode, which keeps
no cell objects in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str, headings: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class _Line:
    """A file-like object whose write() hands back the CSV line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(
    filename: str, headings: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """The whole row set as CSV, produced while it is sent: no row limit, constant memory."""
    writer = csv.writer(_Line())

    def lines():
        yield (BOM + writer.writerow(headings)).encode("utf-8")
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row]).encode("utf-8")

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(
    filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]
) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headings, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for index, heading in enumerate(headings, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(str(heading)) + 2)
        sheet.freeze_panes = "A2"
        header = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, value=str(heading))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
