"""Import of division files in the format of ../shared/data/divisions (china-division CSV).

The import validates every row before it writes anything, writes in one transaction, and is
idempotent: a re-run updates changed names and adds new codes. Rows are written with COPY on
PostgreSQL and with executemany elsewhere, because the national file has 664,276 rows and the
ORM's per-object overhead would blow the 90-second budget.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from . import codes
from .models import Division

# Which file holds which level: the header names the parent column.
FILE_LEVELS = {
    "provinces": codes.PROVINCE,
    "cities": codes.CITY,
    "areas": codes.COUNTY,
    "streets": codes.TOWNSHIP,
    "villages": codes.VILLAGE,
}
COLUMNS = {
    codes.PROVINCE: ["code", "name"],
    codes.CITY: ["code", "name", "provinceCode"],
    codes.COUNTY: ["code", "name", "cityCode", "provinceCode"],
    codes.TOWNSHIP: ["code", "name", "areaCode", "provinceCode", "cityCode"],
    codes.VILLAGE: ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
}
# Column that names each ancestor level, used to check "code not under its parent".
ANCESTOR_COLUMNS = {
    "provinceCode": codes.PROVINCE,
    "cityCode": codes.CITY,
    "areaCode": codes.COUNTY,
    "streetCode": codes.TOWNSHIP,
}
LEVEL_NAMES = {
    codes.PROVINCE: "provinces",
    codes.CITY: "cities",
    codes.COUNTY: "counties",
    codes.TOWNSHIP: "townships",
    codes.VILLAGE: "villages",
}
MAX_NAME_LENGTH = Division._meta.get_field("name").max_length


@dataclass(frozen=True)
class RowError:
    """One problem, located by file and line so that an operator can fix the file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class DivisionImportError(Exception):
    """The files are not importable; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s)")


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    renamed: int = 0
    unchanged: int = 0
    # The codes themselves, for receivers of places.signals.divisions_imported.
    created_codes: list[str] = field(default_factory=list, repr=False)
    renamed_codes: list[str] = field(default_factory=list, repr=False)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


Progress = Callable[[str, int, int | None], None]


@dataclass
class _Row:
    code: str
    name: str
    level: int
    path: str
    line: int


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to the division files they contain, in hierarchy order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for stem in FILE_LEVELS:
                for suffix in (".csv.gz", ".csv"):
                    candidate = path / f"{stem}{suffix}"
                    if candidate.exists():
                        found.append(candidate)
                        break
        else:
            found.append(path)
    return found


def _level_from_name(path: Path) -> int | None:
    stem = path.name.split(".")[0].lower()
    return FILE_LEVELS.get(stem)


def _level_from_header(header: list[str]) -> int | None:
    present = set(header)
    if "streetCode" in present:
        return codes.VILLAGE
    if "areaCode" in present:
        return codes.TOWNSHIP
    if "cityCode" in present:
        return codes.COUNTY
    if "provinceCode" in present:
        return codes.CITY
    if "code" in present:
        return codes.PROVINCE
    return None


def _decoded_lines(path: Path, errors: list[RowError]) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) and record every line that is not valid UTF-8."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    errors.append(RowError(str(path), number, _("不是 UTF-8 编码")))
                    continue
                if number == 1:
                    text = text.lstrip("\ufeff")
                yield number, text
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        errors.append(RowError(str(path), 0, _("无法读取文件：%(error)s") % {"error": exc}))


def _read_file(path: Path, errors: list[RowError], progress: Progress | None) -> list[_Row]:
    rows: list[_Row] = []
    lines = _decoded_lines(path, errors)
    first = next(lines, None)
    if first is None:
        if not any(e.path == str(path) for e in errors):
            errors.append(RowError(str(path), 1, _("文件为空，缺少表头")))
        return rows
    header = [h.strip() for h in next(csv.reader([first[1]]))]
    level = _level_from_name(path) or _level_from_header(header)
    if level is None:
        errors.append(RowError(str(path), 1, _("无法识别的表头：%(h)s") % {"h": ",".join(header)}))
        return rows
    missing = [c for c in COLUMNS[level] if c not in header]
    if missing:
        errors.append(RowError(str(path), 1, _("缺少列：%(cols)s") % {"cols": ", ".join(missing)}))
        return rows
    index = {name: header.index(name) for name in COLUMNS[level]}
    width = max(index.values()) + 1
    expected_length = codes.CODE_LENGTHS[level]
    label = LEVEL_NAMES[level]
    for count, (number, text) in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            values = next(csv.reader([text]))
        except csv.Error as exc:
            errors.append(RowError(str(path), number, _("CSV 格式错误：%(e)s") % {"e": exc}))
            continue
        if len(values) < width:
            errors.append(
                RowError(
                    str(path),
                    number,
                    _("缺少列：应有 %(want)d 列，只有 %(got)d 列") % {"want": width, "got": len(values)},
                )
            )
            continue
        code = values[index["code"]].strip()
        name = values[index["name"]].strip()
        if len(code) != expected_length or not code.isdigit() or not code.isascii():
            errors.append(
                RowError(
                    str(path),
                    number,
                    _("区划代码格式错误：“%(code)s”（应为 %(n)d 位数字）")
                    % {"code": code, "n": expected_length},
                )
            )
            continue
        if not name:
            errors.append(RowError(str(path), number, _("名称为空（代码 %(code)s）") % {"code": code}))
            continue
        if len(name) > MAX_NAME_LENGTH:
            errors.append(RowError(str(path), number, _("名称过长（代码 %(code)s）") % {"code": code}))
            continue
        bad_parent = None
        for column, ancestor_level in ANCESTOR_COLUMNS.items():
            if column in index:
                given = values[index[column]].strip()
                if given != code[: codes.CODE_LENGTHS[ancestor_level]]:
                    bad_parent = (column, given)
                    break
        if bad_parent:
            errors.append(
                RowError(
                    str(path),
                    number,
                    _("代码 %(code)s 不在上级 %(column)s=%(parent)s 之下")
                    % {"code": code, "column": bad_parent[0], "parent": bad_parent[1]},
                )
            )
            continue
        rows.append(_Row(code, name, level, str(path), number))
        if progress and count % 20000 == 0:
            progress(_("读取 %(label)s") % {"label": label}, count, None)
    if progress:
        progress(_("读取 %(label)s") % {"label": label}, len(rows), len(rows))
    return rows


def validate(paths: Iterable[str | Path], progress: Progress | None = None) -> list[_Row]:
    """Read and check every row of every file; raise DivisionImportError listing all problems."""
    errors: list[RowError] = []
    files = discover(paths)
    if not files:
        raise DivisionImportError([RowError("", 0, _("没有找到区划文件"))])
    rows: list[_Row] = []
    for path in files:
        if not path.exists():
            errors.append(RowError(str(path), 0, _("文件不存在")))
            continue
        rows.extend(_read_file(path, errors, progress))

    seen: dict[str, _Row] = {}
    for row in rows:
        first = seen.get(row.code)
        if first is not None:
            errors.append(
                RowError(
                    row.path,
                    row.line,
                    _("区划代码 %(code)s 重复（首次出现在第 %(line)d 行）")
                    % {"code": row.code, "line": first.line},
                )
            )
            continue
        seen[row.code] = row

    # Every parent must be in the files or already in the database.
    parents_needed = {codes.parent_code(r.code) for r in seen.values()} - {None} - set(seen)
    known = set()
    needed = sorted(parents_needed)
    for start in range(0, len(needed), 900):
        chunk = needed[start : start + 900]
        known.update(Division.objects.filter(code__in=chunk).values_list("code", flat=True))
    for row in seen.values():
        parent = codes.parent_code(row.code)
        if parent and parent not in seen and parent not in known:
            errors.append(
                RowError(
                    row.path,
                    row.line,
                    _("代码 %(code)s 的上级 %(parent)s 不存在") % {"code": row.code, "parent": parent},
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.path, e.line))
        raise DivisionImportError(errors)
    return sorted(seen.values(), key=lambda r: (r.level, r.code))


def _county_code(code: str) -> str:
    return code[:6] if len(code) >= 6 else ""


def _insert(new_rows: list[_Row], progress: Progress | None) -> None:
    table = Division._meta.db_table
    columns = "code, name, level, parent_id, county_code"
    total = len(new_rows)
    step = 20000
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for done, row in enumerate(new_rows, start=1):
                    copy.write_row(
                        (row.code, row.name, row.level, codes.parent_code(row.code), _county_code(row.code))
                    )
                    if progress and done % step == 0:
                        progress(_("写入"), done, total)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608 -- table name is ours
            for start in range(0, total, step):
                chunk = new_rows[start : start + step]
                cursor.executemany(
                    sql,
                    [
                        (r.code, r.name, r.level, codes.parent_code(r.code), _county_code(r.code))
                        for r in chunk
                    ],
                )
                if progress:
                    progress(_("写入"), min(start + step, total), total)
    if progress:
        progress(_("写入"), total, total)


def import_divisions(paths: Iterable[str | Path], progress: Progress | None = None) -> ImportReport:
    """Validate then write; on any error nothing is written and DivisionImportError is raised."""
    rows = validate(paths, progress)
    report = ImportReport()
    with transaction.atomic():
        wanted = sorted(r.code for r in rows)
        existing: dict[str, str] = {}
        if Division.objects.exists():
            # Load the names of the codes we are about to touch, in chunks the databases accept.
            for start in range(0, len(wanted), 50000):
                chunk = wanted[start : start + 50000]
                low, high = chunk[0], chunk[-1]
                wanted_set = set(chunk)
                for code, name in (
                    Division.objects.filter(code__gte=low, code__lte=high)
                    .values_list("code", "name")
                    .iterator(chunk_size=20000)
                ):
                    if code in wanted_set:
                        existing[code] = name
        new_rows = [r for r in rows if r.code not in existing]
        renamed = [(r.name, r.code) for r in rows if r.code in existing and existing[r.code] != r.name]
        _insert(new_rows, progress)
        if renamed:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Division._meta.db_table} SET name = %s WHERE code = %s",  # noqa: S608 -- table name is ours
                    renamed,
                )
        for row in new_rows:
            label = LEVEL_NAMES[row.level]
            report.created[label] = report.created.get(label, 0) + 1
        report.renamed = len(renamed)
        report.created_codes = [row.code for row in new_rows]
        report.renamed_codes = [code for _name, code in renamed]
        report.unchanged = len(rows) - len(new_rows) - len(renamed)
    return report
