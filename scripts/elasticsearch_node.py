#!/usr/bin/env python3
"""Start, stop and locate a local single-node Elasticsearch for tests and development.

Uses Elasticsearch's integration-test distribution from Maven Central
(`org.elasticsearch.distribution.integ-test-zip:elasticsearch`, packaging zip): it has no bundled
JDK and no X-Pack security, and runs on the machine's JDK (8.x supports Java 17). The zip is
fetched with Maven into `.cache/elasticsearch/`, unpacked there, and started with a 512 MB heap,
`discovery.type=single-node`, bound to 127.0.0.1. Elasticsearch refuses to run as root, so when
this script runs as root it creates an unprivileged system user (`esrunner`) and starts the node
as that user.

    scripts/elasticsearch_node.py up [--port 9200]     # idempotent; prints ELASTICSEARCH_URL=...
    scripts/elasticsearch_node.py down [--port 9200]
    scripts/elasticsearch_node.py status [--port 9200]

`up` reuses a node that already answers on the port. Exit status 0 when a node answers, 1 when
none could be started (the reason is printed). Only the standard library is used, so that the
Makefile can run it before the virtualenv has the project's packages.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "elasticsearch"
# The newest 8.x integ-test-zip on Maven Central when this was written; override with ES_VERSION.
DEFAULT_VERSION = "8.19.21"
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
RUN_USER = "esrunner"
HEAP = "512m"
START_TIMEOUT_S = 120


class NodeError(Exception):
    """The node cannot be started here; the message says why and what to do."""


def say(message: str) -> None:
    print(f"elasticsearch: {message}", file=sys.stderr, flush=True)


def url_for(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def health(port: int, timeout: float = 2.0) -> dict | None:
    """The cluster health of a node answering on `port`, or None when nothing usable answers.

    The test distribution has no `GET /` handler (that lives in a module it does not ship), so
    readiness is the cluster health endpoint.
    """
    try:
        with urllib.request.urlopen(f"{url_for(port)}/_cluster/health", timeout=timeout) as response:  # noqa: S310 -- loopback only
            data = json.loads(response.read().decode())
    except (OSError, ValueError):
        return None
    if data.get("status") in ("green", "yellow"):
        return data
    return None


def version_of(port: int) -> str:
    try:
        address = f"{url_for(port)}/_nodes/_local?filter_path=nodes.*.version"
        with urllib.request.urlopen(address, timeout=2) as r:  # noqa: S310 -- loopback only
            nodes = json.loads(r.read().decode()).get("nodes", {})
    except (OSError, ValueError):
        return ""
    return next((n.get("version", "") for n in nodes.values()), "")


def java_home() -> Path:
    """The JDK to run on: $ES_JAVA_HOME, $JAVA_HOME, else the one `java` on PATH belongs to."""
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var) and (Path(os.environ[var]) / "bin" / "java").exists():
            return Path(os.environ[var])
    java = shutil.which("java")
    if not java:
        raise NodeError("no Java found: install a JDK 17+ (Debian: apt-get install default-jdk-headless)")
    return Path(java).resolve().parent.parent


def fetch(version: str) -> Path:
    """The distribution's zip under .cache/elasticsearch/, fetched with Maven when missing."""
    zip_path = CACHE / f"elasticsearch-{version}.zip"
    if zip_path.exists():
        return zip_path
    mvn = shutil.which("mvn")
    if not mvn:
        raise NodeError(
            "Maven (mvn) is needed to fetch the test distribution (Debian: apt-get install maven)"
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    say(f"fetching {ARTIFACT.format(version=version)} from Maven Central")
    done = subprocess.run(  # noqa: S603 -- fixed Maven invocation, no shell
        [
            mvn,
            "-B",
            "-q",
            "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
            f"-Dartifact={ARTIFACT.format(version=version)}",
            f"-DoutputDirectory={CACHE}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=CACHE,
    )
    if done.returncode != 0 or not zip_path.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise NodeError(f"Maven could not fetch Elasticsearch {version}:\n{tail}")
    return zip_path


def unpack(zip_path: Path, version: str, into: Path) -> Path:
    """The unpacked distribution under `into`, with the archive's Unix permissions."""
    home = into / f"elasticsearch-{version}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    say(f"unpacking {zip_path.name} into {into}")
    staging = into / f".unpack-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, staging))  # Elastic's own archive from Maven Central
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)
    (staging / f"elasticsearch-{version}").rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    return home


def ensure_user() -> pwd.struct_passwd | None:
    """The unprivileged user to run as when we are root (Elasticsearch refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(  # noqa: S603 -- fixed command, no shell
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_USER],
            check=True,
        )
        return pwd.getpwnam(RUN_USER)


def _reachable_by(user: pwd.struct_passwd, path: Path) -> bool:
    """Whether `user` can enter `path` (and run it, when it is a distribution)."""
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    launcher = path / "bin" / "elasticsearch"
    test = ["test", "-x", str(launcher)] if launcher.exists() else ["test", "-x", str(path)]
    return subprocess.run([runuser, "-u", user.pw_name, "--", *test], check=False).returncode == 0  # noqa: S603 -- fixed command


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for sub in [path, *path.rglob("*")]:
        try:
            os.chown(sub, user.pw_uid, user.pw_gid, follow_symlinks=False)
        except FileNotFoundError:
            continue


def runtime_base(user: pwd.struct_passwd | None) -> Path:
    """Where the distribution is unpacked and nodes keep their data.

    .cache/elasticsearch/ in the checkout, unless the unprivileged user cannot enter the checkout
    (e.g. one under /root): then a folder in the system's temporary directory.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    if user is None or _reachable_by(user, CACHE):
        return CACHE
    base = Path(os.environ.get("TMPDIR", "/tmp")) / "portal-elasticsearch"  # noqa: S108 -- fallback when the checkout is private
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    return base


def node_dir(port: int, data_dir: Path | None = None) -> Path:
    if data_dir:
        return data_dir
    user = ensure_user()
    return runtime_base(user) / f"node-{port}"


def start(port: int, version: str, data_dir: Path | None = None, wait: bool = True) -> str:
    """Start a node on `port` unless one answers there; return its URL."""
    if health(port):
        return url_for(port)
    jdk = java_home()
    user = ensure_user()
    base = runtime_base(user)
    home = unpack(fetch(version), version, base)
    work = data_dir or base / f"node-{port}"
    for sub in ("data", "logs", "tmp", "config"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    # A private config folder per node (Elasticsearch writes its keystore there).
    for item in (home / "config").iterdir():
        target = work / "config" / item.name
        if target.exists():
            continue
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    if user:
        _chown_tree(work, user)
        if not _reachable_by(user, home):
            raise NodeError(f"user {RUN_USER} cannot run {home}")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "ES_JAVA_HOME": str(jdk),
        "ES_JAVA_OPTS": f"-Xms{HEAP} -Xmx{HEAP}",
        "ES_PATH_CONF": str(work / "config"),
        "ES_TMPDIR": str(work / "tmp"),
        "LANG": "C.UTF-8",
    }
    settings = {
        "cluster.name": f"portal-test-{port}",
        "node.name": f"portal-{port}",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(port),
        "transport.port": str(port + 100),
        "path.data": str(work / "data"),
        "path.logs": str(work / "logs"),
        # Test machines have small disks: never turn indexes read-only on a disk watermark.
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "xpack.security.enabled": "false",
        "action.destructive_requires_name": "false",
    }
    command = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(work / "elasticsearch.pid")]
    for key, value in settings.items():
        command += ["-E", f"{key}={value}"]
    if user:
        command = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", user.pw_name, "--", *command]
    say(f"starting Elasticsearch {version} on {url_for(port)} (heap {HEAP}, logs in {work / 'logs'})")
    log = work / "startup.log"
    with log.open("w") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False, cwd=work)  # noqa: S603 -- fixed launcher
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-15:])
        raise NodeError(f"Elasticsearch did not start (exit {done.returncode}):\n{tail}")
    if wait:
        wait_until_up(port)
    return url_for(port)


def wait_until_up(port: int, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if health(port, timeout=1):
            return
        time.sleep(0.5)
    raise NodeError(f"Elasticsearch did not answer on {url_for(port)} within {timeout:.0f} s")


def pid_of(port: int, data_dir: Path | None = None) -> int | None:
    pid_file = node_dir(port, data_dir) / "elasticsearch.pid"
    if not pid_file.exists() and data_dir is None:
        pid_file = CACHE / f"node-{port}" / "elasticsearch.pid"
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def stop(port: int, data_dir: Path | None = None, timeout: float = 60) -> bool:
    """Stop the node this script started on `port` (by its pid file); True when one was stopped."""
    pid = pid_of(port, data_dir)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ELASTICSEARCH_PORT", "9200")))
    parser.add_argument("--version", default=os.environ.get("ES_VERSION", DEFAULT_VERSION))
    parser.add_argument(
        "--data-dir", type=Path, help="the node's folder (default .cache/elasticsearch/node-PORT)"
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "up":
            url = start(args.port, args.version, args.data_dir)
            say(f"up: {url} (version {version_of(args.port) or '?'})")
            print(f"ELASTICSEARCH_URL={url}")
            return 0
        if args.action == "down":
            say("stopped" if stop(args.port, args.data_dir) else f"no node of ours on port {args.port}")
            return 0
        info = health(args.port)
        print(json.dumps({"url": url_for(args.port), "up": bool(info), "version": version_of(args.port)}))
        return 0 if info else 1
    except (NodeError, subprocess.CalledProcessError, OSError) as exc:
        say(str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
