"""Chinese text handling shared by both backends: bigrams, pinyin with every reading, queries."""

from __future__ import annotations

import pytest

from search import text
from search.results import highlight_title, pinyin_prefix_chars


def test_bigrams_of_chinese_runs_and_words():
    assert text.bigrams("劳动合同") == ["劳动", "动合", "合同"]
    assert text.bigrams("法") == ["法"]
    assert text.text_bigrams("《劳动合同法》第10条") == {"劳动", "动合", "合同", "同法", "第", "10", "条"}


def test_normalise_folds_width_case_and_controls():
    assert text.normalise("ＢｕＺｈａｉ\x00\t卜寨\u200b ") == "buzhai 卜寨"


def test_polyphonic_place_names_keep_every_reading():
    """卜寨 is read bǔ zhài, though pypinyin's default for 卜 is "bo": both are indexed."""
    pinyin = text.name_pinyin("卜寨村委会")
    assert "buzhaicunweihui" in pinyin.full and "bozhaicunweihui" in pinyin.full
    assert "bzcwh" in pinyin.initials
    assert "chaoyangshequjuminweiyuanhui" in text.name_pinyin("朝阳社区居民委员会").full
    assert "zengjun" in text.name_pinyin("曾军").full  # surname 曾 is zēng, not céng
    assert "lvshuicun" in text.name_pinyin("绿水村").full and "lushuicun" in text.name_pinyin("绿水村").full


def test_pinyin_variants_are_capped():
    pinyin = text.name_pinyin("和行长重会")
    assert 0 < len(pinyin.full) <= text.MAX_PINYIN_VARIANTS


def test_core_name_drops_generic_endings():
    assert text.core_name("卜寨村委会") == "卜寨"
    assert text.core_name("朝阳社区居民委员会") == "朝阳"
    assert text.core_name("村委会") == "村委会"


def test_queries_split_on_anything_but_letters_digits_and_chinese():
    query = text.parse_query('"卜寨" AND 韦明 OR 1=1')
    assert [t.text for t in query.terms] == ["卜寨", "韦明"]
    assert [t.text for t in text.parse_query("bu zhai").terms] == ["buzhai"]
    assert text.parse_query("451402001201").terms[0].is_code
    assert not text.parse_query("  \x00 ").terms


def test_long_chinese_terms_need_three_quarters_of_their_bigrams():
    term = text.parse_query("劳动合同纠纷调解").terms[0]
    assert len(term.bigrams) == 7 and term.required == 5
    assert text.parse_query("卜寨村").terms[0].required == 1  # 卜寨, without the generic 村


def test_full_names_match_by_their_distinctive_part():
    term = text.parse_query("营房村民委员会").terms[0]
    assert term.match_text == "营房" and term.bigrams == ["营房"]
    assert text.parse_query("村委会").terms[0].match_text == "村委会"  # nothing else to go by


def test_too_long_queries_are_refused():
    with pytest.raises(text.QueryTooLong):
        text.parse_query("卜" * (text.MAX_QUERY_LENGTH + 1))


def test_highlight_escapes_and_marks_pinyin_matches():
    assert str(highlight_title("卜寨村委会", text.parse_query("bz"))) == "<mark>卜寨</mark>村委会"
    assert (
        str(highlight_title("<b>卜寨</b>", text.parse_query("卜寨")))
        == "&lt;b&gt;<mark>卜寨</mark>&lt;/b&gt;"
    )
    assert pinyin_prefix_chars("卜寨村委会", "buzhaic") == 3
