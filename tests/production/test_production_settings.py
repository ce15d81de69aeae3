"""Production settings read mail and addresses from the environment (no database needed).

Each case imports the real `portal.settings.production` in a fresh interpreter, as gunicorn
would, with the environment a deployer sets; it connects to nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings; import django; django.setup(); "
    "print(json.dumps({k: getattr(settings, k, None) for k in ("
    "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
    "'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'DEFAULT_FROM_EMAIL', 'SERVER_EMAIL', "
    "'WAGTAIL_PASSWORD_RESET_ENABLED', 'WAGTAILADMIN_BASE_URL', 'PORTAL_IS_PRODUCTION')}))"
)


def production_settings(**env: str) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "WAGTAILADMIN_", "DEFAULT_FROM"))
    }
    base.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="settings-test-only-" + "x" * 50,
        ALLOWED_HOSTS="portal.example.cn,www.portal.example.cn",
        DATABASE_URL="postgres://portal:portal@127.0.0.1:5432/not_used",
        PYTHONPATH=str(ROOT / "site"),
    )
    base.update(env)
    return subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", SHOW], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def shown(**env: str) -> dict:
    result = production_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_mail_nothing_claims_to_send_it():
    values = shown()
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.dummy.EmailBackend"
    assert values["WAGTAIL_PASSWORD_RESET_ENABLED"] is False
    assert values["WAGTAILADMIN_BASE_URL"] == "https://portal.example.cn"
    assert values["PORTAL_IS_PRODUCTION"] is True


def test_mail_comes_from_email_url():
    values = shown(
        EMAIL_URL="smtp://notices%40example.cn:p%40ss%3Aword@mail.example.cn:587/?tls=True",
        DEFAULT_FROM_EMAIL="一村一法律顾问 <notices@example.cn>",
        WAGTAILADMIN_BASE_URL="https://admin.example.cn",
    )
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("mail.example.cn", 587)
    assert values["EMAIL_HOST_USER"] == "notices@example.cn"
    assert values["EMAIL_HOST_PASSWORD"] == "p@ss:word"  # noqa: S105 -- a test value
    assert values["EMAIL_USE_TLS"] is True and values["EMAIL_USE_SSL"] is False
    assert values["DEFAULT_FROM_EMAIL"] == values["SERVER_EMAIL"] == "一村一法律顾问 <notices@example.cn>"
    assert values["WAGTAIL_PASSWORD_RESET_ENABLED"] is None  # Wagtail's default: on
    assert values["WAGTAILADMIN_BASE_URL"] == "https://admin.example.cn"


def test_a_malformed_email_url_stops_the_start_with_its_name():
    for url in ("smtp://mail.example.cn:abc", "ftp://mail.example.cn"):
        result = production_settings(EMAIL_URL=url)
        assert result.returncode != 0 and "EMAIL_URL" in result.stderr, url
