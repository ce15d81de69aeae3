"""Messages outside the menu walk that users saw in English or garbled (issue 11): the login error,
the password rules, and a search without results."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from .test_admin_walk import latin_words


def test_a_wrong_password_is_said_plainly(staff):
    staff("jiangzhou_clerk", None)
    page = Client().post("/admin/login/", {"username": "jiangzhou_clerk", "password": "wrong-password-1A"})
    text = page.content.decode()
    assert "用户名或密码不正确，请重试。" in text
    assert "用户 用户名" not in text


@pytest.mark.parametrize("password", ["123", "password", "abcdefghijk"])
def test_password_rules_answer_in_chinese(db, password):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password)
    for message in refused.value.messages:
        assert not latin_words(message), message


def test_wagtail_strings_the_issue_named_are_translated():
    with translation.override("zh-hans"):
        for msgid in ("Search all pages…", "Go to the first error", "Oldest", "New: %(model_name)s"):
            assert gettext(msgid) != msgid, msgid
        assert gettext("No %(model_name)s match your query.") % {"model_name": "法律顾问"} == (
            "没有符合查询条件的法律顾问。"
        )
