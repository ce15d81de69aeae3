"""Which saves and deletes change which search documents (connected in SearchConfig.ready())."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from wagtail.models import Page, PageViewRestriction

from advisers.models import Adviser, Firm, ServiceContract, Specialty
from places import codes
from places.models import Division
from places.signals import divisions_imported

from .models import Kind
from .outbox import enqueue, record, refresh_database

logger = logging.getLogger(__name__)

# Up to this many villages, an import's changes are indexed there and then; beyond it (a first
# national import: 620,573 villages) a full `search_rebuild` is much faster than record by record.
IMPORT_INCREMENTAL_LIMIT = 20_000


def _villages_served(adviser_ids) -> list[str]:
    return list(
        ServiceContract.objects.in_force()
        .filter(adviser_id__in=list(adviser_ids))
        .values_list("village_id", flat=True)
    )


def division_changed(sender, instance: Division, **kwargs) -> None:
    if instance.level == codes.VILLAGE:
        record(Kind.VILLAGE, [instance.code])
    elif instance.level in (codes.TOWNSHIP, codes.COUNTY) and not kwargs.get("created", False):
        # A renamed township or county appears in each of its villages' documents.
        record(Kind.VILLAGE, Division.objects.villages().within(instance.code).values_list("code", flat=True))


def _villages_affected(report, limit: int) -> list[str] | None:
    """Village codes whose documents an import changed (new, renamed, or under a renamed place);
    None when there are more than `limit`."""
    villages = {
        c
        for c in (*report.created_codes, *report.renamed_codes)
        if len(c) == codes.CODE_LENGTHS[codes.VILLAGE]
    }
    for prefix in sorted(c for c in report.renamed_codes if c not in villages):
        if len(villages) > limit:
            return None
        below = Division.objects.villages().within(prefix)
        if len(villages) + below.count() > limit:
            return None
        villages.update(below.values_list("code", flat=True))
    return sorted(villages) if len(villages) <= limit else None


def import_changed(sender, report, **kwargs) -> str:
    """After `import_divisions`: refresh the search documents of the villages it changed."""
    affected = _villages_affected(report, IMPORT_INCREMENTAL_LIMIT)
    if affected is None:
        logger.warning(
            "search: a division import changed more than %d villages; a rebuild is needed",
            IMPORT_INCREMENTAL_LIMIT,
        )
        return (
            f"Search: more than {IMPORT_INCREMENTAL_LIMIT:,} villages changed; "
            "run `manage.py search_rebuild` to make them searchable."
        )
    if not affected:
        return "Search: no village names changed; the index is up to date."
    # Directly, not after commit as saves do: a failure must reach the operator (send_robust in
    # the command reports it with the advice to rebuild), not only the log.
    with transaction.atomic():
        refresh_database([(Kind.VILLAGE, code) for code in affected])
        queued = enqueue(Kind.VILLAGE, affected)
    done = f"Search: {len(affected)} villages re-indexed in the database fallback"
    if queued:
        return f"{done} and queued for Elasticsearch (`manage.py search_worker` indexes them)."
    return f"{done}."


def adviser_changed(sender, instance: Adviser, **kwargs) -> None:
    # Also on a withdrawn mobile consent: the number leaves the adviser's and villages' documents.
    record(Kind.ADVISER, [instance.pk])
    record(Kind.VILLAGE, _villages_served([instance.pk]))


def adviser_deleted(sender, instance: Adviser, **kwargs) -> None:
    record(Kind.ADVISER, [instance.pk])


def specialties_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Adviser):
        record(Kind.ADVISER, [instance.pk])
    elif isinstance(instance, Specialty):
        record(Kind.ADVISER, pk_set or instance.adviser_set.values_list("pk", flat=True))


def specialty_changed(sender, instance: Specialty, created: bool = False, **kwargs) -> None:
    if not created:
        record(Kind.ADVISER, instance.adviser_set.values_list("pk", flat=True))


def firm_changed(sender, instance: Firm, created: bool = False, **kwargs) -> None:
    if created:
        return
    adviser_ids = list(instance.advisers.values_list("pk", flat=True))
    record(Kind.ADVISER, adviser_ids)
    record(Kind.VILLAGE, _villages_served(adviser_ids))


def contract_before_save(sender, instance: ServiceContract, **kwargs) -> None:
    # A contract moved to another adviser or village changes the documents of the old ones too.
    instance._search_previous = None
    if instance.pk:
        instance._search_previous = (
            ServiceContract.objects.filter(pk=instance.pk).values_list("adviser_id", "village_id").first()
        )


def contract_changed(sender, instance: ServiceContract, **kwargs) -> None:
    advisers = {instance.adviser_id}
    villages = {instance.village_id}
    previous = getattr(instance, "_search_previous", None)
    if previous:
        advisers.add(previous[0])
        villages.add(previous[1])
    record(Kind.ADVISER, advisers)
    record(Kind.VILLAGE, villages)


def article_changed(sender, instance, **kwargs) -> None:
    record(Kind.ARTICLE, [instance.pk])


def lecture_changed(sender, instance, **kwargs) -> None:
    record(Kind.LECTURE, [instance.pk])


def category_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if created:
        return
    article_model = _model("ArticlePage")
    lecture_model = _model("Lecture")
    if article_model is not None:
        record(Kind.ARTICLE, article_model.objects.filter(category=instance).values_list("pk", flat=True))
    if lecture_model is not None and hasattr(lecture_model, "category"):
        record(Kind.LECTURE, lecture_model.objects.filter(category=instance).values_list("pk", flat=True))


def restriction_changed(sender, instance, **kwargs) -> None:
    """Privacy set or lifted on a page: the articles at or below it enter or leave the search."""
    article_model = _model("ArticlePage")
    if article_model is None:
        return
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path:
        record(Kind.ARTICLE, article_model.objects.filter(path__startswith=path).values_list("pk", flat=True))


def _model(name: str):
    try:
        return apps.get_model("content", name)
    except LookupError:
        return None


def connect() -> None:
    uid = "portal_search"
    divisions_imported.connect(import_changed, dispatch_uid=f"{uid}_divisions_imported")
    post_save.connect(division_changed, sender=Division, dispatch_uid=f"{uid}_division_save")
    post_delete.connect(division_changed, sender=Division, dispatch_uid=f"{uid}_division_delete")
    post_save.connect(adviser_changed, sender=Adviser, dispatch_uid=f"{uid}_adviser_save")
    post_delete.connect(adviser_deleted, sender=Adviser, dispatch_uid=f"{uid}_adviser_delete")
    m2m_changed.connect(
        specialties_changed, sender=Adviser.specialties.through, dispatch_uid=f"{uid}_adviser_specialties"
    )
    post_save.connect(specialty_changed, sender=Specialty, dispatch_uid=f"{uid}_specialty_save")
    post_save.connect(firm_changed, sender=Firm, dispatch_uid=f"{uid}_firm_save")
    pre_save.connect(contract_before_save, sender=ServiceContract, dispatch_uid=f"{uid}_contract_pre")
    post_save.connect(contract_changed, sender=ServiceContract, dispatch_uid=f"{uid}_contract_save")
    post_delete.connect(contract_changed, sender=ServiceContract, dispatch_uid=f"{uid}_contract_delete")

    article = _model("ArticlePage")
    if article is not None:
        from wagtail.signals import page_published, page_unpublished

        page_published.connect(article_changed, sender=article, dispatch_uid=f"{uid}_article_published")
        page_unpublished.connect(article_changed, sender=article, dispatch_uid=f"{uid}_article_unpublished")
        post_save.connect(article_changed, sender=article, dispatch_uid=f"{uid}_article_save")
        post_delete.connect(article_changed, sender=article, dispatch_uid=f"{uid}_article_delete")
        post_save.connect(
            restriction_changed, sender=PageViewRestriction, dispatch_uid=f"{uid}_restriction_save"
        )
        post_delete.connect(
            restriction_changed, sender=PageViewRestriction, dispatch_uid=f"{uid}_restriction_delete"
        )
    category = _model("ArticleCategory")
    if category is not None:
        post_save.connect(category_changed, sender=category, dispatch_uid=f"{uid}_category_save")
    lecture = _model("Lecture")
    if lecture is not None:
        post_save.connect(lecture_changed, sender=lecture, dispatch_uid=f"{uid}_lecture_save")
        post_delete.connect(lecture_changed, sender=lecture, dispatch_uid=f"{uid}_lecture_delete")
