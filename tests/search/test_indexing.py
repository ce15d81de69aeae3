"""Incremental updates: saves and deletes reach the database fallback on commit and Elasticsearch
through the outbox; failures keep their rows; a rebuild swaps the alias."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from advisers.models import Adviser, ServiceContract
from advisers.protection import deleting_history
from search import dbindex, es, outbox
from search.models import IndexOutbox, IndexState, SearchEntry
from tests.conftest import BUZHAI

from .conftest import rebuild_indexes


def search(client, q: str) -> dict:
    response = client.get("/search/", {"q": q, "format": "json"})
    assert response.status_code == 200
    return response.json()


def titles(data: dict, kind: str | None = None) -> list[str]:
    return [r["title"] for r in data["results"] if kind is None or r["type"] == kind]


def entry(kind: str, object_id: object) -> SearchEntry | None:
    return SearchEntry.objects.filter(kind=kind, object_id=str(object_id)).first()


@override_settings(ELASTICSEARCH_URL="")
def test_database_entries_follow_saves_on_commit(client, world, django_capture_on_commit_callbacks):
    rebuild_indexes()
    weiming = world["weiming"]
    with django_capture_on_commit_callbacks(execute=True):
        weiming.name = "韦明亮"
        weiming.save()
    assert titles(search(client, "weimingliang"), "adviser") == ["韦明亮"]
    # The village he serves shows the new name as its adviser.
    village = entry("village", BUZHAI)
    assert village.data["adviser"]["name"] == "韦明亮"
    # Without Elasticsearch nothing is queued.
    assert IndexOutbox.objects.count() == 0


@override_settings(ELASTICSEARCH_URL="")
def test_withdrawn_consent_removes_the_mobile(client, world, django_capture_on_commit_callbacks):
    rebuild_indexes()
    assert "13807711234" in client.get("/search/", {"q": "韦明", "format": "json"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        weiming = Adviser.objects.get(pk=world["weiming"].pk)
        weiming.mobile_consent = False
        weiming.save()
    body = client.get("/search/", {"q": "韦明", "format": "json"}).content.decode()
    assert "13807711234" not in body and "0771-7830001" in body
    assert "13807711234" not in str(entry("village", BUZHAI).data)


@override_settings(ELASTICSEARCH_URL="")
def test_ended_contract_and_deleted_adviser_leave_the_index(
    client, world, django_capture_on_commit_callbacks
):
    rebuild_indexes()
    other = world["other"]
    with django_capture_on_commit_callbacks(execute=True), deleting_history():
        ServiceContract.objects.filter(adviser=other).delete()
        other.delete()
    assert entry("adviser", other.pk) is None
    assert "adviser" not in entry("village", "451402001202").data
    assert search(client, "黄丽")["total"] == 0


def test_saves_write_outbox_rows_when_elasticsearch_is_configured(world, use_elasticsearch):
    IndexOutbox.objects.all().delete()
    weiming = world["weiming"]
    weiming.bio = "擅长土地承包纠纷。"
    weiming.save()
    keys = set(IndexOutbox.objects.values_list("kind", "object_id"))
    assert keys == {("adviser", str(weiming.pk)), ("village", BUZHAI)}


def test_outbox_drains_into_elasticsearch(
    client, world, use_elasticsearch, django_capture_on_commit_callbacks
):
    rebuild_indexes()
    IndexOutbox.objects.all().delete()
    weiming, other = world["weiming"], world["other"]
    with django_capture_on_commit_callbacks(execute=True):
        weiming.name = "韦明亮"
        weiming.mobile_consent = False
        weiming.save()
        with deleting_history():
            ServiceContract.objects.filter(adviser=other).delete()
            other.delete()
        world["marriage_article"].delete()
    assert outbox.backlog() > 0
    report = outbox.drain()
    assert not report.unavailable and report.failed == 0 and outbox.backlog() == 0
    es.refresh()
    source = es.get_source("adviser", str(weiming.pk))
    assert source["show"]["title"] == "韦明亮" and "13807711234" not in str(source)
    assert es.indexed_with("village", BUZHAI, "韦明亮")
    assert es.get_source("adviser", str(other.pk)) is None
    assert es.get_source("article", str(world["marriage_article"].pk)) is None
    data = search(client, "weimingliang")
    assert data["backend"] == "elasticsearch" and titles(data, "adviser") == ["韦明亮"]
    # The index and the fallback agree record for record.
    assert es.all_keys() == set(SearchEntry.objects.values_list("kind", "object_id"))


def test_rejected_updates_stay_queued_and_are_retried(world, use_elasticsearch):
    rebuild_indexes()
    IndexOutbox.objects.all().delete()
    weiming = world["weiming"]
    weiming.name = "韦明远"
    weiming.save()
    queued = outbox.backlog()
    index = es.current_indices()[0]
    es.client().indices.close(index=index)
    try:
        report = outbox.drain()
    finally:
        es.client().indices.open(index=index, wait_for_active_shards="1")
    assert report.failed == queued and report.processed == 0
    rows = list(IndexOutbox.objects.all())
    assert len(rows) == queued and all(r.attempts == 1 and r.last_error and r.next_attempt_at for r in rows)
    # Not due yet (back-off), unless told to ignore it.
    assert outbox.drain().processed == 0
    report = outbox.drain(ignore_backoff=True)
    assert report.processed == queued and outbox.backlog() == 0
    es.refresh()
    assert es.get_source("adviser", str(weiming.pk))["show"]["title"] == "韦明远"


def test_updates_during_a_rebuild_reach_the_new_index(world, use_elasticsearch):
    rebuild_indexes()
    IndexState.objects.create(key=es.REBUILD_STATE, value=f"{es.alias()}-in-progress")
    es._new_index(f"{es.alias()}-in-progress").create(using=es.client())
    try:
        assert es.write_targets() == [es.alias(), f"{es.alias()}-in-progress"]
        weiming = world["weiming"]
        weiming.name = "韦明达"
        weiming.save()
        assert outbox.drain().processed > 0
        es.client().indices.refresh(index=f"{es.alias()}-in-progress")
        copy = es.client().get(index=f"{es.alias()}-in-progress", id=f"adviser:{weiming.pk}")
        assert copy["_source"]["show"]["title"] == "韦明达"
    finally:
        es.client().indices.delete(index=f"{es.alias()}-in-progress", ignore_unavailable=True)


def test_rebuild_swaps_the_alias_and_drops_the_old_index(world, use_elasticsearch):
    rebuild_indexes()
    before = es.current_indices()
    call_command("search_rebuild", "--only", "elasticsearch", "--no-progress")
    after = es.current_indices()
    assert len(after) == 1 and after != before
    assert not es.client().indices.exists(index=before[0])
    assert es.count() == SearchEntry.objects.count()


def test_commands_without_elasticsearch_say_so(db):
    from django.core.management.base import CommandError

    with override_settings(ELASTICSEARCH_URL=""):
        with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
            call_command("search_worker", "--once")
        with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
            call_command("search_create_index")


def test_database_rebuild_command(world):
    with override_settings(ELASTICSEARCH_URL=""):
        call_command("search_rebuild", "--no-progress")
    assert dbindex.entry_count() == SearchEntry.objects.count() > 1000
    assert entry("village", BUZHAI).data["adviser"]["name"] == "韦明"


def test_contracts_coming_into_force_are_requeued_daily(world, use_elasticsearch, today, make_contract):
    import datetime as dt

    IndexOutbox.objects.all().delete()
    IndexState.objects.filter(key=outbox.CONTRACT_REFRESH_STATE).delete()
    future = make_contract(
        world["other"],
        "451402001203",
        start_date=today + dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=300),
    )
    IndexOutbox.objects.all().delete()
    # Nothing changed force between yesterday and today (the world's contracts began a month ago).
    assert outbox.refresh_contract_changes(today) == 0
    IndexOutbox.objects.all().delete()
    queued = outbox.refresh_contract_changes(today + dt.timedelta(days=1))
    keys = set(IndexOutbox.objects.values_list("kind", "object_id"))
    assert ("village", future.village_id) in keys and ("adviser", str(world["other"].pk)) in keys
    assert queued == 2
    assert outbox.refresh_contract_changes(today + dt.timedelta(days=1)) == 0  # once a day


def test_readyz_reports_elasticsearch(client, world, use_elasticsearch, settings):
    rebuild_indexes()
    outbox.drain()
    settings.PORTAL_READYZ_TOKEN = "readyz-test-token"  # noqa: S105 -- a test value; details need it
    search_state = client.get("/readyz", HTTP_AUTHORIZATION="Bearer readyz-test-token").json()["search"]
    assert search_state["backend"] == "elasticsearch" and search_state["wagtail_backend"] == "database"
    state = search_state["elasticsearch"]
    assert state["reachable"] and state["alias_present"] and state["alias"] == es.alias()
    assert state["documents"] == SearchEntry.objects.count()
    assert search_state["outbox_backlog"] == 0


@override_settings(ELASTICSEARCH_URL="")
def test_an_article_made_private_leaves_the_search_and_returns(
    client, world, django_capture_on_commit_callbacks
):
    """Wagtail's privacy is a restriction row, not a page save; the search must follow it too."""
    from wagtail.models import PageViewRestriction

    rebuild_indexes()
    assert "彩礼返还怎么算" in titles(search(client, "彩礼"), "article")
    page = world["marriage_article"]
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=page.get_parent(), restriction_type=PageViewRestriction.LOGIN
        )
    assert "彩礼返还怎么算" not in titles(search(client, "彩礼"), "article")
    assert entry("article", page.pk) is None
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert "彩礼返还怎么算" in titles(search(client, "彩礼"), "article")
