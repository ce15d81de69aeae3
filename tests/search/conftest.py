"""Fixtures for the search tests: a real Elasticsearch and the database fallback, same data.

Elasticsearch is the node `make test` starts (scripts/elasticsearch_node.py) and hands over as
ELASTICSEARCH_URL (kept as settings.ELASTICSEARCH_TEST_URL: the rest of the suite runs on the
database search). Every test session uses its own index prefix so that parallel runs on one
node never see each other's documents; its indexes are deleted at the end. Outside CI a missing
node skips the Elasticsearch half with the command that starts one; in CI it fails.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from advisers.models import CountyBureau, Specialty
from search import dbindex, documents, es, service
from tests.conftest import BUZHAI, IN_CI, JIANGZHOU
from tests.content_helpers import category, make_article, make_lecture
from tests.factories import AdviserFactory, FirmFactory

HOW_TO = (
    "needs Elasticsearch: run `make elasticsearch` (starts the local test node on 127.0.0.1:9200) and "
    "set ELASTICSEARCH_URL=http://127.0.0.1:9200, or run `make test`, which does both"
)
SESSION_PREFIX = f"test{uuid.uuid4().hex[:10]}"
CHENGBEI_VILLAGE = "630105001001"  # 西宁市城北区: outside 崇左


def elasticsearch_url() -> str:
    """The test node's URL; skips (or fails in CI) when there is none answering."""
    url = getattr(settings, "ELASTICSEARCH_TEST_URL", "")
    if not url:
        if IN_CI:
            pytest.fail(f"CI: {HOW_TO}", pytrace=False)
        pytest.skip(HOW_TO)
    from elasticsearch import Elasticsearch

    try:
        Elasticsearch(url, request_timeout=2, max_retries=0).cluster.health()
    except Exception as exc:  # any failure means the node is not usable
        message = f"Elasticsearch at {url} does not answer ({exc.__class__.__name__}); {HOW_TO}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def es_session():
    """Delete this session's indexes at the end."""
    yield SESSION_PREFIX
    url = getattr(settings, "ELASTICSEARCH_TEST_URL", "")
    if url:
        from elasticsearch import Elasticsearch

        try:
            Elasticsearch(url, request_timeout=10).indices.delete(
                index=f"{SESSION_PREFIX}*", ignore_unavailable=True, allow_no_indices=True
            )
        except Exception:  # noqa: S110 -- best-effort clean-up of a test node
            pass


@pytest.fixture
def use_elasticsearch(es_session):
    """Switch the public search to the test node for one test."""
    url = elasticsearch_url()
    with override_settings(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX_PREFIX=es_session):
        service.reset()
        yield url
    service.reset()


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request):
    """Run a test once against the database fallback and once against Elasticsearch."""
    if request.param == "elasticsearch":
        request.getfixturevalue("use_elasticsearch")
    else:
        with override_settings(ELASTICSEARCH_URL=""):
            service.reset()
            yield "database"
        return
    yield "elasticsearch"


def rebuild_indexes() -> None:
    """Index the database as it is now, in the fallback and (when configured) in Elasticsearch."""

    def all_docs():
        yield from documents.all_village_docs()
        yield from documents.all_docs_except_villages()

    dbindex.rebuild(all_docs())
    if es.configured():
        report = es.rebuild(all_docs())
        assert report["failed"] == 0


@pytest.fixture
def world(divisions, make_contract, today):
    """A small programme: 卜寨 served by 韦明, other advisers, articles and lectures.

    Names are chosen so that the cases of the issue have one right answer each.
    """
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", phone="0771-7821234")
    firm = FirmFactory(name="广西江州律师事务所", county_id=JIANGZHOU, office_phone="0771-7830001")
    labour = Specialty.objects.get_or_create(name="劳动争议")[0]
    weiming = AdviserFactory(
        name="韦明", firm=firm, mobile="13807711234", mobile_consent=True, office_phone="0771-7830001"
    )
    weiming.specialties.add(labour)
    make_contract(weiming, BUZHAI)
    other = AdviserFactory(name="黄丽", firm=firm, mobile="13900001111", mobile_consent=False)
    make_contract(other, "451402001202")
    chengbei = AdviserFactory(name="马青", firm=FirmFactory(name="青海城北律师事务所"))
    make_contract(chengbei, CHENGBEI_VILLAGE)
    labour_article = make_article(
        title="签订劳动合同要注意什么",
        slug="labour-contract",
        intro="外出务工前先签书面合同。",
        category=category("labour-disputes"),
        body=[("paragraph", "<p>用人单位应当自用工之日起一个月内订立书面劳动合同。</p>")],
        tags=["劳动合同", "务工"],
        date=dt.date(2026, 3, 1),
    )
    marriage_article = make_article(
        title="彩礼返还怎么算",
        slug="bride-price",
        intro="婚约解除后彩礼是否返还。",
        category=category("marriage-family"),
        body=[("paragraph", "<p>双方未办理结婚登记的，可以请求返还彩礼。</p>")],
        date=dt.date(2026, 2, 1),
    )
    lecture = make_lecture(
        BUZHAI,
        days=5,
        topic="农民工讨薪与劳动仲裁",
        speaker=weiming,
        guest_speaker="",
        category=category("labour-disputes"),
    )
    return {
        "weiming": weiming,
        "other": other,
        "chengbei": chengbei,
        "labour_article": labour_article,
        "marriage_article": marriage_article,
        "lecture": lecture,
    }


@pytest.fixture
def searchable(backend, world):
    """`world`, indexed by the backend under test."""
    rebuild_indexes()
    return world
