"""Bulk import of advisers and contracts from XLSX or CSV files with Chinese headers.

Two steps, so that a bad or abandoned file never changes live data:

1. `parse()` reads the file and `validate()` checks every row *without writing*: each row is
   built as a model instance and checked with the models' own validation and the policy's rules
   (`advisers.rules.check_contract`), counting the file's earlier rows as if they were saved, so
   the 5-village cap holds across the rows of one file. The rows and the list of bad rows (line
   and reason) are kept in an `ImportBatch` for the preview.
2. `commit()` saves every row through the models (the same rules again, under row locks) in one
   transaction; any failure rolls everything back and the batch records why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from backoffice.locking import is_lock_conflict
from backoffice.models import ImportBatch
from backoffice.scope import scope_for, scoped
from places import codes
from places.models import Division

from . import rules
from .models import Adviser, Firm, ServiceContract, Specialty

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Field:
    key: str
    heading: str
    required: bool = False
    example: str = ""
    help: str = ""


CONTRACT_FIELDS = [
    Field(
        "village_code",
        gettext_lazy("村(社区)代码"),
        True,
        "451402001202",
        gettext_lazy("12 位统计用区划代码"),
    ),
    Field(
        "village_name",
        gettext_lazy("村(社区)名称"),
        False,
        "公益村委会",
        gettext_lazy("可选；填写时须与代码一致，用于核对"),
    ),
    Field("licence_no", gettext_lazy("顾问执业证号"), True, "14514201810000001"),
    Field(
        "adviser_name", gettext_lazy("顾问姓名"), False, "张三", gettext_lazy("可选；填写时须与执业证号一致")
    ),
    Field(
        "selection",
        gettext_lazy("选聘方式"),
        False,
        "双向选择",
        gettext_lazy("双向选择 或 司法局调配，默认双向选择"),
    ),
    Field("status", gettext_lazy("状态"), False, "有效", gettext_lazy("拟签订、有效 或 已解除，默认有效")),
    Field("start_date", gettext_lazy("开始日期"), True, "2025-01-01", gettext_lazy("如 2025-01-01")),
    Field("end_date", gettext_lazy("结束日期"), True, "2025-12-31"),
    Field(
        "annual_fee",
        gettext_lazy("年度服务费（元）"),
        True,
        "3000",
        gettext_lazy("不低于本县标准（默认 3000 元）"),
    ),
    Field("signed_on", gettext_lazy("签订日期"), False, "2024-12-20"),
    Field(
        "terminated_on",
        gettext_lazy("解除日期"),
        False,
        "",
        gettext_lazy("状态为已解除时必填：合同最后有效的一天"),
    ),
    Field("termination_reason", gettext_lazy("解除原因"), False, "", gettext_lazy("状态为已解除时必填")),
    Field("note", gettext_lazy("备注"), False, ""),
]

ADVISER_FIELDS = [
    Field("name", gettext_lazy("姓名"), True, "张三"),
    Field("gender", gettext_lazy("性别"), False, "男", gettext_lazy("男 或 女")),
    Field("kind", gettext_lazy("身份"), False, "律师", gettext_lazy("律师 或 基层法律服务工作者，默认律师")),
    Field(
        "licence_no",
        gettext_lazy("执业证号"),
        True,
        "14514201810000001",
        gettext_lazy("已登记的执业证号将更新该顾问的资料"),
    ),
    Field(
        "firm", gettext_lazy("所在机构"), True, "广西明德律师事务所", gettext_lazy("须为后台已登记的机构全称")
    ),
    Field("office_phone", gettext_lazy("办公电话"), False, "0771-7830000"),
    Field("mobile", gettext_lazy("个人手机"), False, "13800000000"),
    Field(
        "mobile_consent",
        gettext_lazy("同意公开个人手机"),
        False,
        "否",
        gettext_lazy("是 或 否，须本人书面同意"),
    ),
    Field("practising_since", gettext_lazy("开始执业年份"), False, "2010"),
    Field(
        "specialties", gettext_lazy("业务专长"), False, "婚姻家庭、土地权属", gettext_lazy("多个用顿号分隔")
    ),
    Field("bio", gettext_lazy("个人简介"), False, ""),
    Field("is_active", gettext_lazy("在岗"), False, "是", gettext_lazy("是 或 否，默认是")),
]

FIELDS = {ImportBatch.Kind.CONTRACTS: CONTRACT_FIELDS, ImportBatch.Kind.ADVISERS: ADVISER_FIELDS}
PERMISSIONS = {
    ImportBatch.Kind.CONTRACTS: ("advisers.add_servicecontract",),
    ImportBatch.Kind.ADVISERS: ("advisers.add_adviser", "advisers.change_adviser"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, headers, size)."""


def can_import(user, kind: str) -> bool:
    return all(user.has_perm(p) for p in PERMISSIONS[kind]) and not scope_for(user).is_empty


# --- reading files -----------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value).strip()


def read_rows(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(headers, [(line number, cells)]) from an XLSX or CSV file; line 1 is the header."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("文件太大（超过 5 MB），请分成几个文件导入。"))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif lower.endswith(".csv"):
        rows = _read_csv(data)
    else:
        raise ImportFileError(_("只能导入 .xlsx 或 .csv 文件（请用模板填写）。"))
    rows = list(rows)
    if not rows:
        raise ImportFileError(_("这是一个空文件。"))
    headers = [_cell_text(h) for h in rows[0]]
    body = []
    for index, cells in enumerate(rows[1:], start=2):
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            body.append((index, texts))
    if len(body) > MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(max)d 行，请分成几个文件。") % {"max": MAX_ROWS})
    return headers, body


def _read_xlsx(data: bytes) -> Iterable[tuple]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(_("无法读取这个 Excel 文件，请确认是 .xlsx 格式（不支持旧的 .xls）。")) from exc
    sheet = workbook.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _read_csv(data: bytes) -> Iterable[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover -- gb18030 decodes any byte sequence
        raise ImportFileError(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV。"))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def _normalise_heading(text: str) -> str:
    return re.sub(r"[\s*＊]", "", text).replace("(", "（").replace(")", "）")


def map_headers(kind: str, headers: list[str]) -> dict[str, int]:
    """Column index of each field, by its Chinese heading (spaces, '*' and bracket widths ignored)."""
    wanted = {_normalise_heading(str(f.heading)): f for f in FIELDS[kind]}
    positions: dict[str, int] = {}
    for index, heading in enumerate(headers):
        field = wanted.get(_normalise_heading(heading))
        if field is None:
            continue
        if field.key in positions:
            raise ImportFileError(_("表头“%(heading)s”出现了两次。") % {"heading": heading})
        positions[field.key] = index
    missing = [str(f.heading) for f in FIELDS[kind] if f.required and f.key not in positions]
    if missing:
        raise ImportFileError(
            _("缺少必填列：%(columns)s。请使用下载的模板，不要修改表头。") % {"columns": "、".join(missing)}
        )
    return positions


def parse(kind: str, name: str, data: bytes) -> list[dict]:
    headers, body = read_rows(name, data)
    positions = map_headers(kind, headers)
    rows = []
    for line, cells in body:
        values = {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}
        rows.append({"line": line, "values": values})
    if not rows:
        raise ImportFileError(_("文件里只有表头，没有数据行。"))
    return rows


# --- values ------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> dt.date:
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError
    return dt.date(*(int(part) for part in match.groups()))


def parse_bool(text: str, default: bool) -> bool:
    text = text.strip()
    if not text:
        return default
    if text in {"是", "Y", "y", "yes", "true", "1", "同意"}:
        return True
    if text in {"否", "N", "n", "no", "false", "0", "不同意"}:
        return False
    raise ValueError


def _choice(text: str, choices, default: str) -> str:
    text = text.strip()
    if not text:
        return default
    for value, label in choices:
        if text in (value, str(label)):
            return value
    raise ValueError


def number_lost_digits(text: str) -> bool:
    """Excel stores long digit strings typed as numbers in floating point and drops digits."""
    return bool(re.fullmatch(r"\d(\.\d+)?e\+\d+", text.strip().lower()))


def lost_digits_message(label: str, text: str) -> str:
    return _(
        "%(label)s被 Excel 存成了数字（%(value)s），超过 15 位的数字会丢失末尾几位。请把这一列设为“文本”格式后重新填写（模板已设好）。"
    ) % {"label": label, "value": text}


class RowErrors(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _validation_messages(exc: ValidationError, labels: dict[str, str]) -> list[str]:
    if hasattr(exc, "error_dict"):
        result = []
        for field, errors in exc.error_dict.items():
            label = labels.get(field)
            for error in errors:
                for message in error.messages:
                    result.append(f"{label}：{message}" if label else message)
        return result
    return list(exc.messages)


# --- contracts ---------------------------------------------------------------------------------


class ContractRows:
    """Builds and checks contracts from rows; remembers earlier rows for the cross-row rules."""

    labels = {
        "village": gettext_lazy("村(社区)"),
        "adviser": gettext_lazy("法律顾问"),
        "start_date": gettext_lazy("开始日期"),
        "end_date": gettext_lazy("结束日期"),
        "annual_fee": gettext_lazy("年度服务费"),
        "signed_on": gettext_lazy("签订日期"),
        "terminated_on": gettext_lazy("解除日期"),
        "termination_reason": gettext_lazy("解除原因"),
        "status": gettext_lazy("状态"),
        "selection": gettext_lazy("选聘方式"),
        "note": gettext_lazy("备注"),
    }

    def __init__(self, user):
        self.user = user
        self.pending: list[ServiceContract] = []
        self._villages: dict[str, Division] = {}
        self._advisers: dict[str, Adviser | None] = {}

    def prefetch(self, rows: list[dict]) -> None:
        """Load every village and adviser the file names in two queries."""
        village_codes = {r["values"].get("village_code", "").strip() for r in rows}
        licences = {r["values"].get("licence_no", "").strip() for r in rows}
        villages = scoped(Division.objects.filter(code__in=village_codes), self.user)
        self._villages = {v.code: v for v in villages}
        self._all_villages = dict(
            Division.objects.filter(code__in=village_codes).values_list("code", "level")
        )
        advisers = scoped(Adviser.objects.filter(licence_no__in=licences).select_related("firm"), self.user)
        self._advisers = {a.licence_no: a for a in advisers}

    def build(self, values: dict) -> ServiceContract:
        errors: list[str] = []
        code = values.get("village_code", "").strip()
        village = None
        if not code:
            errors.append(_("村(社区)代码：必填。"))
        elif number_lost_digits(code):
            errors.append(lost_digits_message(_("村(社区)代码"), code))
        elif not (codes.is_valid_code(code) and len(code) == 12):
            errors.append(_("村(社区)代码“%(code)s”格式不正确，应为 12 位数字。") % {"code": code})
        elif code not in self._all_villages:
            errors.append(_("村(社区)代码“%(code)s”不存在。") % {"code": code})
        elif self._all_villages[code] != codes.VILLAGE:
            errors.append(_("代码“%(code)s”不是村(社区)。") % {"code": code})
        elif code not in self._villages:
            errors.append(_("村(社区)“%(code)s”不在您的管辖范围内。") % {"code": code})
        else:
            village = self._villages[code]
            name = values.get("village_name", "").strip()
            if name and name != village.name:
                errors.append(
                    _("村(社区)名称“%(name)s”与代码 %(code)s 不符（应为“%(actual)s”）。")
                    % {"name": name, "code": code, "actual": village.name}
                )
        licence = values.get("licence_no", "").strip()
        adviser = None
        if not licence:
            errors.append(_("顾问执业证号：必填。"))
        elif number_lost_digits(licence):
            errors.append(lost_digits_message(_("顾问执业证号"), licence))
        elif licence not in self._advisers:
            # Unknown and out-of-scope read the same: another county's adviser is not disclosed.
            errors.append(
                _("在您的管辖范围内找不到执业证号为“%(licence)s”的法律顾问，请先导入或登记顾问。")
                % {"licence": licence}
            )
        else:
            adviser = self._advisers[licence]
            name = values.get("adviser_name", "").strip()
            if name and name != adviser.name:
                errors.append(
                    _("顾问姓名“%(name)s”与执业证号不符（应为“%(actual)s”）。")
                    % {"name": name, "actual": adviser.name}
                )
        contract = ServiceContract(
            note=values.get("note", "").strip(),
            termination_reason=values.get("termination_reason", "").strip(),
        )
        try:
            contract.selection = _choice(
                values.get("selection", ""),
                ServiceContract.Selection.choices,
                ServiceContract.Selection.TWO_WAY,
            )
        except ValueError:
            errors.append(
                _("选聘方式“%(value)s”无效，应为“双向选择”或“司法局调配”。")
                % {"value": values.get("selection")}
            )
        try:
            contract.status = _choice(
                values.get("status", ""), ServiceContract.Status.choices, ServiceContract.Status.ACTIVE
            )
        except ValueError:
            errors.append(
                _("状态“%(value)s”无效，应为“拟签订”“有效”或“已解除”。") % {"value": values.get("status")}
            )
        dates = (("start_date", True), ("end_date", True), ("signed_on", False), ("terminated_on", False))
        for key, required in dates:
            text = values.get(key, "").strip()
            label = self.labels[key]
            if not text:
                if required:
                    errors.append(_("%(label)s：必填。") % {"label": label})
                continue
            try:
                setattr(contract, key, parse_date(text))
            except ValueError:
                errors.append(
                    _("%(label)s“%(value)s”不是有效日期，请写成 2025-01-01。")
                    % {"label": label, "value": text}
                )
        fee = values.get("annual_fee", "").replace(",", "").replace("，", "").replace("元", "").strip()
        if not fee:
            errors.append(_("年度服务费：必填。"))
        else:
            try:
                contract.annual_fee = Decimal(fee)
                if not contract.annual_fee.is_finite() or contract.annual_fee < 0:
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("年度服务费“%(value)s”不是有效金额。") % {"value": fee})
        if errors:
            raise RowErrors(errors)
        contract.village = village
        contract.adviser = adviser
        return contract

    def check(self, contract: ServiceContract) -> None:
        """Model validation and the policy's rules, counting the file's earlier rows."""
        try:
            contract.clean_fields(exclude=["village", "adviser"])
            rules.check_contract(contract, pending=self.pending)
        except ValidationError as exc:
            messages = _validation_messages(exc, self.labels)
            raise RowErrors(messages) from exc
        self.pending.append(contract)

    def save(self, contract: ServiceContract) -> ServiceContract:
        contract.full_clean()
        contract.save()
        return contract


# --- advisers ----------------------------------------------------------------------------------


class AdviserRows:
    labels = {
        "name": gettext_lazy("姓名"),
        "licence_no": gettext_lazy("执业证号"),
        "firm": gettext_lazy("所在机构"),
        "office_phone": gettext_lazy("办公电话"),
        "mobile": gettext_lazy("个人手机"),
        "practising_since": gettext_lazy("开始执业年份"),
        "gender": gettext_lazy("性别"),
        "kind": gettext_lazy("身份"),
        "bio": gettext_lazy("个人简介"),
    }

    def __init__(self, user):
        self.user = user
        self.seen: dict[str, int] = {}

    def prefetch(self, rows: list[dict]) -> None:
        licences = {r["values"].get("licence_no", "").strip() for r in rows}
        firm_names = {r["values"].get("firm", "").strip() for r in rows}
        self._existing = {a.licence_no: a for a in Adviser.objects.filter(licence_no__in=licences)}
        self._in_scope = set(
            scoped(Adviser.objects.filter(licence_no__in=licences), self.user).values_list(
                "licence_no", flat=True
            )
        )
        firms: dict[str, list[Firm]] = {}
        for firm in scoped(Firm.objects.filter(name__in=firm_names), self.user):
            firms.setdefault(firm.name, []).append(firm)
        self._firms = firms
        self._specialties = {s.name: s for s in Specialty.objects.all()}

    def build(self, values: dict, line: int = 0) -> tuple[Adviser, list[Specialty], bool]:
        errors: list[str] = []
        licence = values.get("licence_no", "").strip()
        name = values.get("name", "").strip()
        if not name:
            errors.append(_("姓名：必填。"))
        if not licence:
            errors.append(_("执业证号：必填。"))
        elif number_lost_digits(licence):
            errors.append(lost_digits_message(_("执业证号"), licence))
        elif licence in self.seen:
            errors.append(
                _("执业证号“%(licence)s”与第 %(line)d 行重复。")
                % {"licence": licence, "line": self.seen[licence]}
            )
        existing = self._existing.get(licence)
        if existing is not None and licence not in self._in_scope:
            # Say neither that the number is registered nor where: another county's adviser is
            # not this county's business. The row stops here, before any field is compared.
            errors.append(
                _(
                    "执业证号“%(licence)s”的这一行不能在本辖区导入。请核对执业证号；如确属本辖区，请联系市级司法局。"
                )
                % {"licence": licence}
            )
            raise RowErrors(errors)
        adviser = existing if existing is not None else Adviser(licence_no=licence)
        created = existing is None
        adviser.name = name
        firm_name = values.get("firm", "").strip()
        firms = self._firms.get(firm_name, [])
        if not firm_name:
            errors.append(_("所在机构：必填。"))
        elif not firms:
            errors.append(
                _("找不到您辖区内名为“%(name)s”的机构，请先在“执业机构”中登记，或核对名称。")
                % {"name": firm_name}
            )
        elif len(firms) > 1:
            errors.append(_("有多个名为“%(name)s”的机构，请在后台逐个登记此顾问。") % {"name": firm_name})
        else:
            adviser.firm = firms[0]
        try:
            adviser.gender = _choice(
                values.get("gender", ""), [("m", "男"), ("f", "女")], adviser.gender or ""
            )
        except ValueError:
            errors.append(_("性别“%(value)s”无效，应为“男”或“女”。") % {"value": values.get("gender")})
        try:
            adviser.kind = _choice(
                values.get("kind", ""), Adviser.Kind.choices, adviser.kind or Adviser.Kind.LAWYER
            )
        except ValueError:
            errors.append(
                _("身份“%(value)s”无效，应为“律师”或“基层法律服务工作者”。") % {"value": values.get("kind")}
            )
        for key in ("office_phone", "mobile", "bio"):
            if key in values:
                setattr(adviser, key, values.get(key, "").strip())
        year = values.get("practising_since", "").strip()
        if year:
            if year.isdigit():
                adviser.practising_since = int(year)
            else:
                errors.append(_("开始执业年份“%(value)s”应为四位数字年份。") % {"value": year})
        for key, default in (("mobile_consent", False), ("is_active", True)):
            if key not in values:
                continue
            try:
                setattr(
                    adviser,
                    key,
                    parse_bool(values.get(key, ""), default if created else getattr(adviser, key)),
                )
            except ValueError:
                label = _("同意公开个人手机") if key == "mobile_consent" else _("在岗")
                errors.append(
                    _("%(label)s“%(value)s”无效，应为“是”或“否”。")
                    % {"label": label, "value": values.get(key)}
                )
        names = [n for n in re.split(r"[、,，;；\s]+", values.get("specialties", "")) if n]
        unknown = [n for n in names if n not in self._specialties]
        if unknown:
            errors.append(
                _("业务专长“%(unknown)s”不在列表中（可选：%(known)s）。")
                % {"unknown": "、".join(unknown), "known": "、".join(self._specialties)}
            )
        specialties = [self._specialties[n] for n in names if n in self._specialties]
        if errors:
            raise RowErrors(errors)
        try:
            adviser.full_clean(exclude=["photo", "user", "specialties"])
        except ValidationError as exc:
            raise RowErrors(_validation_messages(exc, self.labels)) from exc
        if licence:
            self.seen[licence] = line
        return adviser, specialties, created

    def save(self, adviser: Adviser, specialties: list[Specialty]) -> Adviser:
        adviser.save()
        if specialties:
            adviser.specialties.set(specialties)
        return adviser


# --- the two steps -----------------------------------------------------------------------------


def validate(kind: str, rows: list[dict], user) -> list[dict]:
    """Every bad row with its line and reasons; writes nothing."""
    problems: list[dict] = []
    if kind == ImportBatch.Kind.CONTRACTS:
        builder = ContractRows(user)
        builder.prefetch(rows)
        for row in rows:
            try:
                builder.check(builder.build(row["values"]))
            except RowErrors as exc:
                problems.extend({"line": row["line"], "message": m} for m in exc.messages)
    else:
        builder = AdviserRows(user)
        builder.prefetch(rows)
        for row in rows:
            try:
                builder.build(row["values"], row["line"])
            except RowErrors as exc:
                problems.extend({"line": row["line"], "message": m} for m in exc.messages)
    return problems


def create_batch(kind: str, upload, user) -> ImportBatch:
    """Read and check an uploaded file; the batch holds the rows and the bad rows for the preview."""
    purge_stale()
    data = upload.read()
    rows = parse(kind, upload.name, data)
    problems = validate(kind, rows, user)
    return ImportBatch.objects.create(
        kind=kind, file_name=upload.name[:255], created_by=user, rows=rows, errors=problems
    )


class CommitFailed(Exception):
    def __init__(self, problems: list[dict]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def commit(batch: ImportBatch, user) -> dict:
    """Save every row in one transaction; on any failure nothing is saved and the batch says why."""
    if batch.status != ImportBatch.Status.PREVIEW:
        raise CommitFailed([{"line": 0, "message": _("这个批次已经处理过了。")}])
    try:
        with transaction.atomic():
            # Check again: other staff may have signed contracts since the preview.
            problems = validate(batch.kind, batch.rows, user)
            if problems:
                raise CommitFailed(problems)
            result = _save_rows(batch, user)
            batch.status = ImportBatch.Status.COMMITTED
            batch.committed_at = timezone.now()
            batch.result = result
            batch.errors = []
            batch.save(update_fields=["status", "committed_at", "result", "errors"])
            return result
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        problems = [
            {"line": 0, "message": _("其他人正在同时修改相关记录，本次导入没有保存。请稍后重新提交。")}
        ]
        batch.errors = problems
        batch.save(update_fields=["errors"])
        raise CommitFailed(problems) from exc
    except CommitFailed as exc:
        batch.errors = exc.problems
        batch.status = ImportBatch.Status.FAILED
        batch.save(update_fields=["errors", "status"])
        raise


def _save_rows(batch: ImportBatch, user) -> dict:
    created = updated = 0
    data = {"import_batch": batch.pk}
    if batch.kind == ImportBatch.Kind.CONTRACTS:
        builder = ContractRows(user)
        builder.prefetch(batch.rows)
        for row in batch.rows:
            try:
                contract = builder.build(row["values"])
                builder.save(contract)
            except (RowErrors, ValidationError) as exc:
                messages = (
                    exc.messages if isinstance(exc, RowErrors) else _validation_messages(exc, builder.labels)
                )
                raise CommitFailed([{"line": row["line"], "message": m} for m in messages]) from exc
            log(instance=contract, action="wagtail.create", user=user, content_changed=True, data=data)
            created += 1
    else:
        builder = AdviserRows(user)
        builder.prefetch(batch.rows)
        for row in batch.rows:
            try:
                adviser, specialties, is_new = builder.build(row["values"], row["line"])
                builder.save(adviser, specialties)
            except (RowErrors, ValidationError) as exc:
                messages = (
                    exc.messages if isinstance(exc, RowErrors) else _validation_messages(exc, builder.labels)
                )
                raise CommitFailed([{"line": row["line"], "message": m} for m in messages]) from exc
            log(
                instance=adviser,
                action="wagtail.create" if is_new else "wagtail.edit",
                user=user,
                content_changed=True,
                data=data,
            )
            created += is_new
            updated += not is_new
    return {"created": created, "updated": updated}


def abandon(batch: ImportBatch) -> None:
    if batch.status == ImportBatch.Status.PREVIEW:
        batch.status = ImportBatch.Status.ABANDONED
        batch.rows = []
        batch.save(update_fields=["status", "rows"])


def purge_stale(days: int = 1) -> None:
    """Previews older than a day are dropped: their rows may hold personal data."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    ImportBatch.objects.filter(status=ImportBatch.Status.PREVIEW, created_at__lt=cutoff).update(
        status=ImportBatch.Status.ABANDONED, rows=[]
    )


# --- templates ---------------------------------------------------------------------------------


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    fields = FIELDS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(ImportBatch.Kind(kind).label)
    sheet.append([str(f.heading) for f in fields])
    for cell, field in zip(sheet[1], fields, strict=True):
        cell.font = Font(bold=True, color="B3261E" if field.required else "000000")
        if field.help:
            cell.comment = Comment(str(field.help), "")
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(str(field.heading)) + 4)
        # Codes and licence numbers must stay text: Excel would turn them into rounded numbers.
        sheet.column_dimensions[cell.column_letter].number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("填写说明"))
    guide.append([_("列"), _("是否必填"), _("示例"), _("说明")])
    for field in fields:
        guide.append(
            [str(field.heading), _("必填") if field.required else _("选填"), field.example, str(field.help)]
        )
    guide.append([])
    guide.append([_("只导入第一个工作表；第 1 行是表头，请勿修改。红色表头为必填列。")])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_csv(kind: str) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerow([str(f.heading) for f in FIELDS[kind]])
    return buffer.getvalue().encode("utf-8")
