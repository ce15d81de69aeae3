"""Security headers on every response: the public CSP (no inline script), the admin's own CSP,
nosniff, Referrer-Policy, frame options and COOP; HSTS under production settings.

The browser side (scripts actually run under the policy, no CSP violations in the console) is in
tests/browser/test_csp.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import BUZHAI

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_ROOTS = [ROOT / "themes", ROOT / "content" / "templates", ROOT / "directory", ROOT / "search"]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_common_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}


def assert_public_policy(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"], "public pages run no inline script"
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/directory/",
        f"/directory/{BUZHAI}/",
        "/directory/999999999999/",  # the 404 page
        "/lectures/?area=abc",  # a 400 page
        "/search/?q=卜寨",
        "/search/suggest?q=卜",
        f"/api/directory/{BUZHAI}",
        "/healthz",
        "/directory/%00/",  # refused by the control-character guard
    ],
)
def test_public_responses_carry_the_strict_policy(client, divisions, path):
    response = client.get(path)
    assert response.status_code < 500
    assert_common_headers(response)
    assert_public_policy(response)


def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/portal/search.js")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_public_policy(response)


def test_the_admin_has_its_own_policy(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response["Content-Security-Policy"])
    # Wagtail's and viewflow's own inline scripts and styles (see backoffice/http.py).
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]  # Wagtail's live preview frames its own pages
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]


def test_the_500_page_style_is_allowed_by_its_hash():
    """500.html renders without static files, so its one <style> element is allowed by hash."""
    html = (ROOT / "themes" / "default" / "templates" / "500.html").read_text()
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert "style=" not in html and "<script" not in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def public_templates() -> list[Path]:
    found = []
    for root in TEMPLATE_ROOTS:
        found += [p for p in root.rglob("*.html") if "/admin/" not in p.as_posix()]
    return sorted(found)


def test_public_templates_have_no_inline_script_handler_or_style():
    """What the strict policy would block: checked in the source so a new template cannot slip in."""
    templates = public_templates()
    assert len(templates) > 20, templates
    offences = []
    for path in templates:
        source = path.read_text()
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("event handler attribute", INLINE_HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("javascript: link", JAVASCRIPT_URL),
        ]:
            if pattern.search(source):
                offences.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offences, "\n".join(offences)


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz", secure=True, headers={"host": "portal.example.cn"})
print(json.dumps({"status": response.status_code, "headers": dict(response.items())}))
"""


def test_production_settings_add_hsts_to_the_same_headers():
    """Production settings in a fresh process: /healthz needs no database, so none is reached."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "portal.example.cn",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:9/none",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'site'}",
    }
    env.pop("CACHE_URL", None)
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["status"] == 200
    headers = {k.lower(): v for k, v in probe["headers"].items()}
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    policy = directives(headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
