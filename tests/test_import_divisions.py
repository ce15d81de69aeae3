"""The division import: a good slice, each kind of bad file (nothing written), re-runs."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from places import codes
from places.importer import DivisionImportError, import_divisions
from places.models import Division
from places.progress import TerminalProgress

PROVINCES = "code,name\n45,广西壮族自治区\n"
CITIES = "code,name,provinceCode\n4514,崇左市,45\n"
AREAS = "code,name,cityCode,provinceCode\n451402,江州区,4514,45\n451422,宁明县,4514,45\n"
STREETS = (
    "code,name,areaCode,provinceCode,cityCode\n"
    "451402001,太平街道,451402,45,4514\n"
    "451422100,城中镇,451422,45,4514\n"
)
VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    '451402001201,"卜寨村委会",451402001,45,4514,451402\n'
    "451402001202,那贞村委会,451402001,45,4514,451402\n"
    "451422100001,城中社区居委会,451422100,45,4514,451422\n"
)


def write(folder: Path, name: str, text: str | bytes, gz: bool = False) -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    path = folder / (name + (".csv.gz" if gz else ".csv"))
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    write(tmp_path, "provinces", PROVINCES)
    write(tmp_path, "cities", CITIES)
    write(tmp_path, "areas", AREAS, gz=True)
    write(tmp_path, "streets", STREETS)
    write(tmp_path, "villages", VILLAGES, gz=True)
    return tmp_path


@pytest.fixture
def empty_db(db):
    """These tests need a database without the session's demo slice."""
    for level in (codes.VILLAGE, codes.TOWNSHIP, codes.COUNTY, codes.CITY, codes.PROVINCE):
        Division.objects.filter(level=level).delete()
    return db


def snapshot() -> list[tuple]:
    return list(
        Division.objects.order_by("code").values_list("code", "name", "level", "parent_id", "county_code")
    )


def test_good_slice_imports_hierarchy(empty_db, good_dir):
    report = import_divisions([good_dir])
    assert report.created == {"provinces": 1, "cities": 1, "counties": 2, "townships": 2, "villages": 3}
    village = Division.objects.get(code="451402001201")
    assert village.name == "卜寨村委会"
    assert village.level == codes.VILLAGE
    assert village.parent_id == "451402001"
    assert village.county_code == "451402"
    assert [a.name for a in village.ancestors()] == ["广西壮族自治区", "崇左市", "江州区", "太平街道"]
    assert Division.objects.get(code="45").parent_id is None


def test_rerun_is_idempotent_updates_names_and_adds_codes(empty_db, good_dir, tmp_path):
    import_divisions([good_dir])
    before = snapshot()
    report = import_divisions([good_dir])
    assert report.total_created == 0 and report.renamed == 0 and report.unchanged == len(before)
    assert snapshot() == before

    changed = tmp_path / "changed"
    changed.mkdir()
    write(
        changed,
        "villages",
        VILLAGES.replace("那贞村委会", "那贞村民委员会")
        + "451402001203,新设村委会,451402001,45,4514,451402\n",
    )
    report = import_divisions([changed])
    assert report.renamed == 1 and report.created == {"villages": 1} and report.unchanged == 2
    assert Division.objects.get(code="451402001202").name == "那贞村民委员会"
    assert Division.objects.get(code="451402001203").parent_id == "451402001"


BAD_VILLAGE_FILES = {
    "malformed code": ("45140200120X,坏村,451402001,45,4514,451402\n", "区划代码格式错误"),
    "short code": ("45140200120,短村,451402001,45,4514,451402\n", "应为 12 位数字"),
    "not under parent": (
        "451402002201,错村,451402001,45,4514,451402\n",
        "不在上级 streetCode=451402001 之下",
    ),
    "wrong county column": (
        "451402001209,错县村,451402001,45,4514,451422\n",
        "不在上级 areaCode=451422 之下",
    ),
    "duplicate code": ("451402001201,卜寨村委会,451402001,45,4514,451402\n", "重复"),
    "empty name": ('451402001209,"",451402001,45,4514,451402\n', "名称为空"),
    "missing column in row": ("451402001209,缺列村,451402001\n", "缺少列"),
    "unknown parent": ("451402009201,无上级村,451402009,45,4514,451402\n", "上级 451402009 不存在"),
}


@pytest.mark.parametrize("kind", sorted(BAD_VILLAGE_FILES))
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(empty_db, good_dir, tmp_path, kind):
    import_divisions([good_dir])
    before = snapshot()
    bad_row, message = BAD_VILLAGE_FILES[kind]
    bad = tmp_path / "bad"
    bad.mkdir()
    # A good new row first, so we can see it is *not* written when a later row is bad.
    write(bad, "villages", VILLAGES + "451402001250,好村委会,451402001,45,4514,451402\n" + bad_row)
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions([bad])
    errors = excinfo.value.errors
    assert any(message in e.message for e in errors), [str(e) for e in errors]
    bad_line = VILLAGES.count("\n") + 2  # header + 3 villages + good row, then the bad one
    assert any(e.line == bad_line for e in errors), [str(e) for e in errors]
    assert snapshot() == before


def test_missing_header_column(empty_db, tmp_path):
    write(
        tmp_path,
        "villages",
        "code,name,streetCode,provinceCode,cityCode\n451402001201,卜寨村委会,451402001,45,4514\n",
    )
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions([tmp_path])
    assert [(e.line, e.message) for e in excinfo.value.errors] == [(1, "缺少列：areaCode")]
    assert not Division.objects.exists()


def test_not_utf8_reports_the_line(empty_db, good_dir, tmp_path):
    bad = tmp_path / "gbk"
    bad.mkdir()
    data = VILLAGES.encode("utf-8") + "451402001260,广西村委会,451402001,45,4514,451402\n".encode("gbk")
    write(bad, "villages", data)
    import_divisions([good_dir])
    before = snapshot()
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions([bad])
    assert [(e.line, e.message) for e in excinfo.value.errors] == [(5, "不是 UTF-8 编码")]
    assert snapshot() == before


def test_whole_gbk_file_is_rejected(empty_db, tmp_path):
    write(tmp_path, "provinces", PROVINCES.encode("gbk"))
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions([tmp_path])
    assert any("UTF-8" in e.message for e in excinfo.value.errors)
    assert not Division.objects.exists()


def test_failure_in_one_file_writes_none_of_the_others(empty_db, good_dir):
    write(good_dir, "villages", VILLAGES + "bad,坏,451402001,45,4514,451402\n", gz=True)
    with pytest.raises(DivisionImportError):
        import_divisions([good_dir])
    assert not Division.objects.exists()


def test_unreadable_and_missing_files(empty_db, tmp_path):
    (tmp_path / "villages.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DivisionImportError) as excinfo:
        import_divisions([tmp_path / "villages.csv.gz", tmp_path / "nowhere.csv"])
    messages = [e.message for e in excinfo.value.errors]
    assert any("无法读取文件" in m for m in messages)
    assert "文件不存在" in messages


def test_command_lists_every_error_and_changes_nothing(empty_db, good_dir, tmp_path):
    import_divisions([good_dir])
    before = snapshot()
    bad = tmp_path / "bad"
    bad.mkdir()
    write(
        bad, "villages", VILLAGES + "x,坏,1,45,4514,451402\n" + '451402001270,"",451402001,45,4514,451402\n'
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_divisions", str(bad), stderr=err, stdout=io.StringIO())
    output = err.getvalue()
    assert "villages.csv:5:" in output and "villages.csv:6:" in output
    assert snapshot() == before


def test_command_reports_counts(empty_db, good_dir):
    out = io.StringIO()
    call_command("import_divisions", str(good_dir), "--no-progress", stdout=out)
    assert "3 villages" in out.getvalue()


def test_progress_bar_draws_on_a_terminal(empty_db, good_dir):
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    import_divisions([good_dir], progress=progress)
    progress.finish()
    text = stream.getvalue()
    assert "[" in text and "100%" in text


def test_demo_slice_is_complete(divisions):
    """The repository's own slice: 931 villages of 崇左市 and 70 of 城北区."""
    assert Division.objects.villages().within("4514").count() == 931
    assert Division.objects.villages().within("630105").count() == 70
    assert Division.objects.villages().within("451402").count() == 143
