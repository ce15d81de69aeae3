"""The README's production deployment, done as an operator does it, then every public address.

Under `portal.settings.production`, in subprocesses and on a PostgreSQL database of its own (the
subprocesses cannot see the pytest test database's transaction): `check --deploy --fail-level
WARNING`, `migrate`, `createcachetable`, `collectstatic` into a temporary `PORTAL_VAR_DIR`, the
demo (refused without `--i-know-this-is-production`, then loaded without its ledger year, the
slow part), the search fallback, and gunicorn with two workers. Every address of the README's
"Public addresses" table is then fetched over HTTP as the proxy forwards it (`X-Forwarded-Proto:
https`, an allowed host): 200 or 404 with real content, never a 5xx, and no traceback in the log.

Needs PostgreSQL (production settings refuse anything else): skipped outside CI without it,
a failure in CI.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, require_postgres

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.example.cn"
CHENGBEI_HOST = "chengbei.localhost"
READYZ_TOKEN = "smoke-readyz-token"  # noqa: S105 -- a test value
# Per step, generous: on a 2-core machine shared with other jobs, load_demo alone took over 10 min.
STEP_TIMEOUT = 1500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_connection():
    """A connection to the server's maintenance database, to create and drop the smoke database."""
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def smoke_database():
    require_postgres()
    name = f"portal_smoke_{uuid.uuid4().hex[:10]}"
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with admin_connection() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def production_env(smoke_database, tmp_path):
    """The environment an operator sets (README › Production), with nothing of the test run's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DATABASE_", "ELASTICSEARCH_", "CACHE_", "PORTAL_", "EMAIL_", "PYTEST")
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="smoke-" + uuid.uuid4().hex + uuid.uuid4().hex,
        ALLOWED_HOSTS=f"{HOST},{CHENGBEI_HOST}",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL=smoke_database,
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        PORTAL_READYZ_TOKEN=READYZ_TOKEN,
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


class Server:
    """gunicorn as the README runs it, on a free port with its own control socket."""

    def __init__(self, env: dict, workdir: Path) -> None:
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--pythonpath",
            "site",
            "portal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--control-socket",
            str(workdir / "gunicorn.ctl"),
            "--timeout",
            "120",
        ]
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 -- our own interpreter and gunicorn
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.log.read_text()}"
            try:
                if fetch(self, "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"gunicorn did not answer within 120 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.log_file.close()


class Answer:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(
    server: Server, path: str, *, host: str = HOST, https: bool = True, headers: dict | None = None
) -> Answer:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}")  # noqa: S310 -- loopback
    request.add_header("Host", host)
    if https:
        request.add_header("X-Forwarded-Proto", "https")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with OPENER.open(request, timeout=120) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def first(pattern: str, html: str, what: str) -> str:
    match = re.search(pattern, html)
    assert match, f"no {what} found"
    return match.group(1)


def test_production_deployment_serves_every_public_address(production_env, tmp_path):
    env = production_env

    # 1. Settings: the deployment checks pass with warnings counted as failures.
    manage(env, "check", "--deploy", "--fail-level", "WARNING")
    # 2. Database, cache table, static files.
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    collected = manage(env, "collectstatic", "--noinput")
    assert "post-processed" in collected.stdout
    manifest = json.loads((tmp_path / "var" / "static" / "staticfiles.json").read_text())
    assert "portal/site.css" in manifest["paths"]
    # 3. The demo is refused under production settings without the explicit flag.
    refused = manage(env, "load_demo", check=False)
    assert refused.returncode == 1 and "--i-know-this-is-production" in refused.stderr
    assert "Demo accounts" not in refused.stdout
    manage(env, "load_demo", "--i-know-this-is-production", "--without-work")
    manage(env, "search_rebuild", "--no-progress")

    server = Server(env, tmp_path)
    try:
        server.wait_ready()
        check_public_addresses(server)
    finally:
        server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log, log[-4000:]


def check_public_addresses(server: Server) -> None:
    answers: dict[str, int] = {}

    def get(path: str, expect: int = 200, **kwargs) -> Answer:
        answer = fetch(server, path, **kwargs)
        answers[path] = answer.status
        assert answer.status == expect, f"{path}: {answer.status}\n{answer.text[:2000]}"
        return answer

    # Plain HTTP is sent to HTTPS; HTTPS responses carry HSTS.
    plain = fetch(server, "/", https=False)
    assert plain.status == 301 and plain.headers["Location"] == f"https://{HOST}/"

    home = get("/")
    assert "崇左市司法局" in home.text and "12348" in home.text
    assert "max-age=" in home.headers["Strict-Transport-Security"]
    stylesheet = first(r'href="(/static/portal/site\.[0-9a-f]{12}\.css)"', home.text, "hashed stylesheet")
    static = get(stylesheet)
    assert b"{" in static.body and "max-age" in static.headers.get("Cache-Control", "")
    assert "城北区" in get("/", host=CHENGBEI_HOST).text

    assert "江州区" in get("/directory/").text
    assert "江州区" in get(f"/directory/{JIANGZHOU}/").text
    assert "卜寨村委会" in get(f"/directory/{TAIPING}/").text
    village = get(f"/directory/{BUZHAI}/").text
    assert "卜寨村委会" in village
    assert get(f"/directory/{BUZHAI}/notice-board.png").body.startswith(b"\x89PNG")
    assert get(f"/directory/{BUZHAI}/notice-board.pdf").body.startswith(b"%PDF")
    adviser = first(r'href="(/advisers/\d+/)"', village, "adviser link on the village page")
    assert "法律顾问" in get(adviser).text

    articles = get("/articles/").text
    article = first(r'href="(/articles/[a-z0-9-]+/)"', articles, "article link")
    assert "<article" in get(article).text or "普法" in get(article).text
    assert b"<rss" in get("/articles/feed/").body
    assert b"<feed" in get("/articles/feed/atom/").body

    lectures = get("/lectures/").text
    lecture = first(r'href="(/lectures/\d+/)"', lectures, "lecture link")
    assert "讲座" in get(lecture).text
    assert b"BEGIN:VCALENDAR" in get("/lectures/calendar.ics").body
    assert b"BEGIN:VEVENT" in get(f"{lecture}calendar.ics").body

    assert "卜寨村委会" in get("/search/?q=%E5%8D%9C%E5%AF%A8").text
    suggest = json.loads(get("/search/suggest?q=%E5%8D%9C%E5%AF%A8").body)
    assert suggest and "卜寨" in json.dumps(suggest, ensure_ascii=False)
    assert json.loads(get(f"/api/directory/{BUZHAI}").body)["name"] == "卜寨村委会"

    assert json.loads(get("/healthz").body) == {"status": "ok"}
    assert json.loads(get("/readyz").body) == {"status": "ok"}
    ready = json.loads(get("/readyz", headers={"Authorization": f"Bearer {READYZ_TOKEN}"}).body)
    assert (
        ready["static"]["ok"]
        and ready["static"]["entries"] > 100
        and ready["database"]["vendor"] == "postgresql"
    )

    index = get("/sitemap.xml").text
    assert "<sitemapindex" in index and f"https://{HOST}/sitemap-places.xml" in index
    assert f"https://{HOST}/directory/{BUZHAI}/" in get("/sitemap-places.xml").text
    robots = get("/robots.txt").text
    assert "Disallow: /admin/" in robots and f"Sitemap: https://{HOST}/sitemap.xml" in robots

    assert 'name="password"' in get("/admin/login/").text
    # No mail configured: Wagtail's password reset is off instead of claiming to send a link.
    get("/admin/password_reset/", expect=404)

    for bad in ("/directory/abc/", "/directory/999999999999/", "/advisers/999999/", "/lectures/999999/"):
        get(bad, expect=404)
    assert "error" in json.loads(get("/api/directory/abc", expect=404).body)
    assert not [path for path, status in answers.items() if status >= 500]
