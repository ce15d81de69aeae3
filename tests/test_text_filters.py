"""keep_brackets: short bracketed words stay on one line; everything else is escaped as usual."""

from __future__ import annotations

from content.templatetags.portal_text import keep_brackets


def test_bracketed_words_stay_with_the_character_before_them():
    assert keep_brackets("城北区村(社区)法律顾问") == '城北区<span class="nobr">村(社区)</span>法律顾问'
    assert keep_brackets("村（居）民") == '<span class="nobr">村（居）</span>民'


def test_long_brackets_and_plain_text_are_left_alone():
    assert keep_brackets("崇左市司法局") == "崇左市司法局"
    assert keep_brackets("说明(这是一段很长的括号内容)") == "说明(这是一段很长的括号内容)"


def test_text_is_escaped_inside_and_outside_the_span():
    assert keep_brackets('<b>&"(x<y)') == '&lt;b&gt;&amp;<span class="nobr">&quot;(x&lt;y)</span>'
