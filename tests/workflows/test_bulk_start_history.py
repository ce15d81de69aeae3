"""A bulk start writes its history and audit entries in bulk: the same entries as one at a time.

`engine.start_many` inserts the start steps (StepRecord) and their audit entries
(ProgrammeLogEntry) with two bulk inserts after the last row, instead of `engine.record` per
process. What a reader of the history and of Wagtail's site history sees must not change: each
process's entry has the content type, title, object id, place code, user and data that
`engine.record` writes, an entry of its own (uuid), and a county bureau reads only its own.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from backoffice.models import ProgrammeLogEntry
from tests.conftest import village_codes
from tests.workflows.throwaway.flow import ChecklistFlow
from workflows import engine
from workflows.models import ScopedProcess, StepRecord

TAIPING = "451402001"
COMPARED = ("content_type_id", "label", "action", "object_id", "place_code", "user_id", "data")


def entry_of(process, action: str = "workflows.opened") -> ProgrammeLogEntry:
    return ProgrammeLogEntry.objects.get(action=action, object_id=str(process.pk))


def test_bulk_start_entries_match_what_record_writes(people, divisions):
    villages = village_codes(TAIPING, 5)
    started = engine.start_many(ChecklistFlow, [{"village": v} for v in villages], user=people.head)

    content_type = ContentType.objects.get_for_model(ScopedProcess)
    uuids = {entry_of(p).uuid for p in started}
    assert len(uuids) == len(started) and None not in uuids  # one entry (and uuid) per process
    for process, village in zip(started, villages, strict=True):
        step = StepRecord.objects.get(process=process)
        assert (step.action, step.actor, step.task.process_id) == ("opened", people.head, process.pk)
        bulk = entry_of(process)
        assert bulk.content_type_id == content_type.pk and bulk.place_code == village
        assert bulk.user == people.head and bulk.timestamp == step.at
        assert bulk.data == {
            "process": process.pk,
            "task": step.task_id,
            "action": "opened",
            "reason": "",
            "system": False,
        }
        # The same step written the ordinary way (`engine.record`, Wagtail's `log`) is the same
        # entry but for its time and uuid.
        engine.record(process, "opened", actor=people.head, task=step.task)
        single = ProgrammeLogEntry.objects.filter(
            action="workflows.opened", object_id=str(process.pk)
        ).exclude(pk=bulk.pk)
        assert single.count() == 1
        assert {f: getattr(bulk, f) for f in COMPARED} == {f: getattr(single.get(), f) for f in COMPARED}


def test_bulk_started_entries_are_read_within_scope_only(people, divisions):
    started = engine.start_many(
        ChecklistFlow, [{"village": v} for v in village_codes(TAIPING, 3)], user=people.head
    )
    pks = [str(p.pk) for p in started]
    own = ProgrammeLogEntry.objects.viewable_by_user(people.bureau).filter(object_id__in=pks)
    other = ProgrammeLogEntry.objects.viewable_by_user(people.other_bureau).filter(object_id__in=pks)
    assert own.filter(action="workflows.opened").count() == 3
    assert not other.exists()


def test_an_empty_bulk_start_writes_nothing(people):
    before = (StepRecord.objects.count(), ProgrammeLogEntry.objects.count())
    assert engine.start_many(ChecklistFlow, [], user=people.head) == []
    assert (StepRecord.objects.count(), ProgrammeLogEntry.objects.count()) == before
