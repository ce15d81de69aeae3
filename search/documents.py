"""What each searchable record looks like in the search index, built from the database.

One builder per kind reads records in a fixed, small number of queries per batch and returns
`SearchDoc`s; the Elasticsearch index (search/es.py) and the database fallback
(search/dbindex.py) are both written from these, so both backends search the same text.

Only what the public pages already show goes in: a personal mobile number only where the
adviser's consent is recorded (PIPL art. 25; withdrawing it is an ordinary update that removes
it), never a villager's data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from advisers.models import Adviser, ServiceContract
from places import codes
from places.models import Division

from . import text
from .models import Kind

# Kinds in the order results of equal relevance are listed: the village a villager looks for
# first, then its adviser, then lectures and articles.
KIND_RANK = {Kind.VILLAGE: 4, Kind.ADVISER: 3, Kind.LECTURE: 2, Kind.ARTICLE: 1}
BODY_LIMIT = 20_000  # characters of an article body that are searchable


@dataclass
class SearchDoc:
    kind: str
    object_id: str
    title: str
    url: str
    subtitle: str = ""
    related: str = ""  # names of related records (a village's adviser, an adviser's villages)
    body: str = ""
    category: str = ""
    county_codes: list[str] = field(default_factory=list)
    place_codes: list[str] = field(default_factory=list)
    tree_path: str = ""
    date: dt.date | None = None
    data: dict = field(default_factory=dict)
    pinyin: text.Pinyin = field(default_factory=text.Pinyin)
    related_pinyin: text.Pinyin = field(default_factory=text.Pinyin)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.object_id)

    @property
    def title_key(self) -> str:
        return text.normalise(self.title)

    @property
    def core_key(self) -> str:
        return text.core_name(self.title)

    def tokens(self) -> set[str]:
        """Search tokens: bigrams and ASCII words of the text fields; pinyin strings prefixed "p:"
        (own name, full), "i:" (own initials), "r:"/"s:" (related names, full/initials); "c:"
        division codes.

        Where a bigram comes from (name, subtitle, body) is not stored: ranking reads it from the
        entry's fields for the few bigrams a query matched.
        """
        tokens: set[str] = set()
        tokens.update(text.text_bigrams(self.body))
        tokens.update(text.text_bigrams(self.subtitle))
        tokens.update(text.text_bigrams(self.related))
        tokens.update(text.text_bigrams(self.title))
        tokens.update(f"p:{v}" for v in self.pinyin.full)
        tokens.update(f"i:{v}" for v in self.pinyin.initials)
        tokens.update(f"r:{v}" for v in self.related_pinyin.full)
        tokens.update(f"s:{v}" for v in self.related_pinyin.initials)
        tokens.update(f"c:{code}" for code in self.place_codes)
        return {token[:64] for token in tokens if token}


def _join_pinyin(names: Iterable[str]) -> text.Pinyin:
    result = text.Pinyin()
    for name in names:
        p = text.name_pinyin(name)
        result.full.extend(v for v in p.full if v not in result.full)
        result.initials.extend(v for v in p.initials if v not in result.initials)
    return result


# --- villages ------------------------------------------------------------------------------------


class PlaceNames:
    """Names of every division above village level (about 45,000 nationally), loaded once."""

    def __init__(self, for_codes: Iterable[str] | None = None) -> None:
        qs = Division.objects.filter(level__lt=codes.VILLAGE)
        if for_codes is not None:
            wanted = {code[:n] for code in for_codes for n in (2, 4, 6, 9) if n < len(code)}
            qs = qs.filter(code__in=wanted)
        self.names: dict[str, str] = dict(qs.values_list("code", "name"))

    def where(self, code: str) -> str:
        """ "广西壮族自治区崇左市江州区太平街道" for a village code (skipping "市辖区" and the like)."""
        parts = []
        for length in (2, 4, 6, 9):
            if length >= len(code):
                break
            name = self.names.get(code[:length], "")
            if name and name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                parts.append(name)
        return "".join(parts)

    def township(self, code: str) -> str:
        return self.names.get(code[:9], "")

    def county(self, code: str) -> str:
        return self.names.get(code[:6], "")


class _AdviserValues:
    """Just enough of an Adviser for its phone properties, without a model instance per row.

    The properties are Adviser's own, so the consent rule (PIPL art. 25) stays in one place.
    """

    published_mobile = Adviser.published_mobile
    public_office_phone = Adviser.public_office_phone
    public_phone = Adviser.public_phone

    def __init__(self, mobile: str, consent: bool, office_phone: str, firm_office_phone: str) -> None:
        self.mobile = mobile
        self.mobile_consent = consent
        self.office_phone = office_phone
        self.firm = _FirmValues(firm_office_phone)


class _FirmValues:
    def __init__(self, office_phone: str) -> None:
        self.office_phone = office_phone


@lru_cache(maxsize=8)
def _url_template(viewname: str, placeholder: str) -> str:
    return reverse(viewname, args=[placeholder])


def fast_url(viewname: str, value: object) -> str:
    """reverse() for one-argument URLs, without its cost for each of 620,573 villages."""
    placeholder = "0" * 12 if viewname == "directory:place" else "999999999"
    return _url_template(viewname, placeholder).replace(placeholder, str(value))


def _village_advisers(village_codes: list[str] | None) -> dict[str, dict]:
    """What a village document says about its adviser in force, by village code.

    Read as plain values (620k contracts nationally) and turned into one small dict per adviser;
    the phone comes from `Adviser.public_phone`, the one place that applies the consent rule.
    """
    contracts = ServiceContract.objects.in_force().filter(adviser__is_active=True).order_by("start_date")
    if village_codes is not None:
        contracts = contracts.filter(village_id__in=village_codes)
    rows = contracts.values_list(
        "village_id",
        "adviser_id",
        "adviser__name",
        "adviser__mobile",
        "adviser__mobile_consent",
        "adviser__office_phone",
        "adviser__firm__name",
        "adviser__firm__office_phone",
    )
    cards: dict[int, dict] = {}
    by_village: dict[str, dict] = {}
    for village, adviser_id, name, mobile, consent, office, firm_name, firm_office in rows.iterator(
        chunk_size=20_000
    ):
        card = cards.get(adviser_id)
        if card is None:
            adviser = _AdviserValues(mobile, consent, office, firm_office)
            card = cards[adviser_id] = {
                "id": adviser_id,
                "name": name,
                "firm": firm_name,
                "phone": adviser.public_phone,
                "url": fast_url("directory:adviser", adviser_id),
            }
        by_village[village] = card  # ordered by start date: the latest contract wins
    return by_village


def _village_doc(code: str, name: str, places: PlaceNames, adviser: dict | None) -> SearchDoc:
    urban = "社区" in name or "居委会" in name or "居民委员会" in name
    data = {"where": places.where(code), "code": code}
    related = ""
    related_pinyin = text.Pinyin()
    if adviser is not None:
        data["adviser"] = adviser
        related = f"{adviser['name']} {adviser['firm']}"
        related_pinyin = text.name_pinyin(adviser["name"])
    return SearchDoc(
        kind=Kind.VILLAGE,
        object_id=code,
        title=name,
        url=fast_url("directory:place", code),
        subtitle=f"{places.county(code)} {places.township(code)}".strip(),
        related=related,
        category="社区" if urban else "村",
        county_codes=[code[:6]],
        place_codes=[code],
        data=data,
        pinyin=text.name_pinyin(name),
        related_pinyin=related_pinyin,
    )


def village_docs(village_codes: list[str]) -> list[SearchDoc]:
    if not village_codes:
        return []
    places = PlaceNames(village_codes)
    advisers = _village_advisers(village_codes)
    rows = Division.objects.villages().filter(code__in=village_codes).values_list("code", "name")
    return [_village_doc(code, name, places, advisers.get(code)) for code, name in rows]


def all_village_docs(chunk: int = 5000) -> Iterator[SearchDoc]:
    """Every village, streamed in code order (620,573 nationally) for a full rebuild."""
    places = PlaceNames()
    advisers = _village_advisers(None)
    last = ""
    while True:
        rows = list(
            Division.objects.villages()
            .filter(code__gt=last)
            .order_by("code")
            .values_list("code", "name")[:chunk]
        )
        if not rows:
            return
        for code, name in rows:
            yield _village_doc(code, name, places, advisers.get(code))
        last = rows[-1][0]


def village_count() -> int:
    return Division.objects.villages().count()


# --- advisers ------------------------------------------------------------------------------------


def adviser_docs(adviser_ids: list[str] | None) -> list[SearchDoc]:
    """Active advisers with the villages they serve now (all of them when ids is None).

    Read as plain values in five queries whatever the number (156,000 advisers nationally).
    """
    qs = Adviser.objects.filter(is_active=True)
    contracts = ServiceContract.objects.in_force()
    links = Adviser.specialties.through.objects.all()
    if adviser_ids is not None:
        ids = [int(i) for i in adviser_ids if str(i).isdigit()]
        qs = qs.filter(pk__in=ids)
        contracts = contracts.filter(adviser_id__in=ids)
        links = links.filter(adviser_id__in=ids)
    rows = list(
        qs.order_by("pk").values_list(
            "pk",
            "name",
            "kind",
            "mobile",
            "mobile_consent",
            "office_phone",
            "bio",
            "firm__name",
            "firm__office_phone",
            "firm__county_id",
        )
    )
    if not rows:
        return []
    served: dict[int, list[str]] = defaultdict(list)
    for adviser_id, village_id in contracts.order_by("village_id").values_list("adviser_id", "village_id"):
        served[adviser_id].append(village_id)
    specialties: dict[int, list[str]] = defaultdict(list)
    for adviser_id, name in links.order_by("specialty__sort_order", "specialty__name").values_list(
        "adviser_id", "specialty__name"
    ):
        specialties[adviser_id].append(name)
    if adviser_ids is None:
        village_names = dict(
            Division.objects.villages().values_list("code", "name").iterator(chunk_size=20_000)
        )
        places = PlaceNames()
    else:
        wanted = {code for codes_ in served.values() for code in codes_}
        village_names = dict(Division.objects.filter(code__in=wanted).values_list("code", "name"))
        places = PlaceNames(wanted)
    kinds = dict(Adviser.Kind.choices)
    docs = []
    for pk, name, kind, mobile, consent, office, bio, firm, firm_office, firm_county in rows:
        villages = [(code, village_names.get(code, "")) for code in served.get(pk, [])]
        county_codes = sorted({code[:6] for code, _ in villages} | ({firm_county} - {None}))
        kind_label = str(kinds.get(kind, kind))
        own = specialties.get(pk, [])
        docs.append(
            SearchDoc(
                kind=Kind.ADVISER,
                object_id=str(pk),
                title=name,
                url=fast_url("directory:adviser", pk),
                subtitle=f"{firm} {kind_label}",
                related=" ".join(village for _, village in villages),
                body=" ".join([*own, bio]),
                category=kind_label,
                county_codes=county_codes,
                place_codes=[code for code, _ in villages] + county_codes,
                data={
                    "firm": firm,
                    "phone": _AdviserValues(mobile, consent, office, firm_office).public_phone,
                    "specialties": own,
                    "villages": [
                        {"code": code, "name": village, "where": places.where(code)}
                        for code, village in villages
                    ],
                },
                pinyin=text.name_pinyin(name),
                related_pinyin=_join_pinyin(village for _, village in villages),
            )
        )
    return docs


# --- articles and lectures (content app) ---------------------------------------------------------


def _content_model(name: str):
    try:
        return apps.get_model("content", name)
    except LookupError:
        return None


def article_docs(page_ids: list[str] | None) -> list[SearchDoc]:
    """Live, public legal education articles (Wagtail pages)."""
    model = _content_model("ArticlePage")
    if model is None:
        return []
    qs = model.objects.live().public().select_related("category", "place").prefetch_related("tags")
    if page_ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in page_ids if str(i).isdigit()])
    docs = []
    for page in qs:
        place = getattr(page, "place", None)
        county = [place.code[:6]] if place is not None and len(place.code) >= 6 else []
        tags = [t.name for t in page.tags.all()]
        body = getattr(page, "plain_body", "") or ""
        category = page.category.name if getattr(page, "category_id", None) else ""
        docs.append(
            SearchDoc(
                kind=Kind.ARTICLE,
                object_id=str(page.pk),
                title=page.title,
                url=page.url or "",
                subtitle=" ".join([category, *tags]),
                related=" ".join(tags),
                body=f"{page.intro}\n{body}"[:BODY_LIMIT],
                category=category,
                county_codes=county,
                place_codes=[place.code] if place is not None else [],
                tree_path=page.path,
                date=page.date,
                data={"intro": page.intro, "tags": tags},
            )
        )
    return docs


def lecture_docs(lecture_ids: list[str] | None) -> list[SearchDoc]:
    """Lectures (scheduled, held or cancelled: a cancelled one says so rather than vanishing)."""
    model = _content_model("Lecture")
    if model is None:
        return []
    qs = model.objects.select_related("place", "speaker", "category")
    if lecture_ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in lecture_ids if str(i).isdigit()])
    lectures = list(qs)
    if not lectures:
        return []
    places = PlaceNames(lecture.place_id for lecture in lectures)
    docs = []
    for lecture in lectures:
        place = lecture.place
        starts = timezone.localtime(lecture.starts_at)
        speaker = lecture.speaker_name
        where = f"{places.where(place.code)}{place.name}"
        docs.append(
            SearchDoc(
                kind=Kind.LECTURE,
                object_id=str(lecture.pk),
                title=lecture.topic,
                url=lecture.get_absolute_url(),
                subtitle=f"{place.name} {lecture.venue}",
                related=speaker,
                body=f"{where} {lecture.description}",
                category=lecture.category.name if lecture.category_id else "",
                county_codes=[place.code[:6]],
                place_codes=[place.code],
                date=starts.date(),
                data={
                    "starts_at": starts.isoformat(),
                    "where": where,
                    "venue": lecture.venue,
                    "speaker": speaker,
                    "status": lecture.status,
                    "status_label": str(lecture.get_status_display()),
                },
                related_pinyin=text.name_pinyin(speaker) if speaker else text.Pinyin(),
            )
        )
    return docs


BUILDERS = {
    Kind.VILLAGE: village_docs,
    Kind.ADVISER: adviser_docs,
    Kind.ARTICLE: article_docs,
    Kind.LECTURE: lecture_docs,
}


def docs_for(kind: str, object_ids: list[str]) -> list[SearchDoc]:
    """Current documents of these records; a record that is gone or not public yields none."""
    return BUILDERS[kind](list(object_ids))


def total_count() -> int:
    """How many documents a full rebuild writes (for its progress bar)."""
    total = village_count() + Adviser.objects.filter(is_active=True).count()
    article = _content_model("ArticlePage")
    lecture = _content_model("Lecture")
    if article is not None:
        total += article.objects.live().public().count()
    if lecture is not None:
        total += lecture.objects.count()
    return total


def all_docs_except_villages() -> Iterator[SearchDoc]:
    yield from adviser_docs(None)
    yield from article_docs(None)
    yield from lecture_docs(None)
