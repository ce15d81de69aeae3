"""An Elasticsearch outage in the middle of a test, on a node of its own (really stopped and
started again), so that the shared test node of other tests is never disturbed."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from advisers.models import Adviser, ServiceContract
from advisers.protection import deleting_history
from search import es, outbox, service
from search.models import SearchEntry
from tests.conftest import BUZHAI, IN_CI
from tests.factories import AdviserFactory

from .conftest import HOW_TO, elasticsearch_url, rebuild_indexes

ROOT = Path(__file__).resolve().parents[2]


def node_script():
    spec = importlib.util.spec_from_file_location(
        "elasticsearch_node", ROOT / "scripts" / "elasticsearch_node.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A port whose transport neighbour (port + 100) is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 100 < 65536:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 100))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port pair")


@pytest.fixture
def own_node(es_session):
    """A dedicated node: started here, stopped and restarted by the test, removed at the end."""
    elasticsearch_url()  # skips (or fails in CI) when Elasticsearch cannot run here at all
    nodes = node_script()
    port = free_port()
    try:
        url = nodes.start(port, nodes.DEFAULT_VERSION)
    except nodes.NodeError as exc:
        message = f"could not start a second Elasticsearch node: {exc}; {HOW_TO}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        with override_settings(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX_PREFIX=es_session):
            service.reset()
            yield nodes, port
    finally:
        nodes.stop(port)
        shutil.rmtree(nodes.node_dir(port), ignore_errors=True)
        service.reset()


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def search(client, q: str) -> dict:
    response = client.get("/search/", {"q": q, "format": "json"})
    assert response.status_code == 200
    return response.json()


def test_outage_saves_succeed_search_falls_back_queue_drains(
    client, world, own_node, django_capture_on_commit_callbacks, make_contract, settings
):
    nodes, port = own_node
    rebuild_indexes()
    assert search(client, "韦明")["backend"] == "elasticsearch"

    assert nodes.stop(port)  # SIGTERM: the node shuts down; its port refuses connections
    assert nodes.health(port) is None

    weiming, other = world["weiming"], world["other"]
    newcomer_village = "451402001203"

    def rename():
        weiming.name = "韦明亮"
        weiming.mobile_consent = False
        weiming.save()

    def retire():
        with deleting_history():
            ServiceContract.objects.filter(adviser=other).delete()
            Adviser.objects.filter(pk=other.pk).delete()

    def hire():
        newcomer = AdviserFactory(name="覃新", firm=weiming.firm)
        make_contract(newcomer, newcomer_village)

    def unpublish():
        world["marriage_article"].delete()

    with django_capture_on_commit_callbacks(execute=True):
        for action in (rename, retire, hire, unpublish):
            # Saves never wait on Elasticsearch: well under one client timeout each.
            assert timed(action) < es.timeout()
    assert outbox.backlog() >= 6

    # Search falls back to the database, which is already up to date, and says so.
    data = search(client, "weimingliang")
    assert data["backend"] == "database" and data["degraded"] is True and data["notice"]
    assert [r["title"] for r in data["results"] if r["type"] == "adviser"] == ["韦明亮"]
    assert search(client, "黄丽")["total"] == 0
    assert [r["title"] for r in search(client, "覃新")["results"] if r["type"] == "adviser"] == ["覃新"]
    html = client.get("/search/", {"q": "卜寨"}).content.decode()
    assert "搜索服务暂时不可用" in html and "卜寨村委会" in html

    settings.PORTAL_READYZ_TOKEN = "readyz-test-token"  # noqa: S105 -- a test value; details need it
    ready = client.get("/readyz", HTTP_AUTHORIZATION="Bearer readyz-test-token").json()
    assert ready["search"]["elasticsearch"]["reachable"] is False
    assert ready["search"]["backend"] == "database-fallback" and ready["search"]["outbox_backlog"] >= 6

    # The worker cannot drain while the node is down, and loses nothing.
    backlog = outbox.backlog()
    with pytest.raises(CommandError, match="unavailable"):
        call_command("search_worker", "--once")
    assert outbox.backlog() == backlog

    nodes.start(port, nodes.DEFAULT_VERSION)  # same data folder: the old index is still there
    call_command("search_worker", "--once")
    assert outbox.backlog() == 0
    es.refresh()

    # The index matches the database, record for record and field for field.
    expected = set(SearchEntry.objects.values_list("kind", "object_id"))
    assert es.all_keys() == expected
    assert ("adviser", str(other.pk)) not in expected
    source = es.get_source("adviser", str(weiming.pk))
    assert source["show"]["title"] == "韦明亮" and "13807711234" not in str(source)
    assert es.indexed_with("village", BUZHAI, "韦明亮")
    assert es.indexed_with("village", newcomer_village, "覃新")
    assert not es.indexed_with("village", "451402001202", "黄丽")  # her contract was deleted
    assert es.get_source("article", str(world["marriage_article"].pk)) is None

    service.reset()
    data = search(client, "weimingliang")
    assert data["backend"] == "elasticsearch" and data["degraded"] is False
    assert [r["title"] for r in data["results"] if r["type"] == "adviser"] == ["韦明亮"]
