"""Each role × record in / out of its scope × list, view, edit, delete, export.

In scope, a role gets exactly what its group allows (backoffice/roles.py); out of scope the
answer is 403 or 404 and the record never appears in a listing or an export, whatever the role.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import BUZHAI

from .conftest import CHAOYANG, CHENGXI, MINGXIANG, TAGS, VILLAGE_NAMES

L, V, E, D, X = "list", "view", "edit", "delete", "export"
ALL = {L, V, E, D, X}
READ = {L, V, X}

# What each role may do with records of each kind inside its scope.
EXPECTED = {
    "city": {
        "firm": ALL,
        "adviser": ALL,
        "contract": ALL,
        "liaison": ALL,
        "room": ALL,
        "recusal": ALL,
        "village": READ,
        "bureau": {L, V, E, X},
    },
    "county": {
        "firm": ALL,
        "adviser": ALL,
        "contract": ALL,
        "liaison": ALL,
        "room": ALL,
        "recusal": ALL,
        "village": READ,
        "bureau": {L, V, E, X},
    },
    "township": {
        "firm": READ,
        "adviser": READ,
        "contract": READ,
        "liaison": ALL,
        "room": ALL,
        "recusal": READ,
        "village": READ,
        "bureau": set(),
    },
    "committee": {
        "firm": set(),
        "adviser": READ,
        "contract": READ,
        "liaison": {L, V, E, X},
        "room": {L, V, E, X},
        "recusal": READ,
        "village": READ,
        "bureau": set(),
    },
    "adviser": {
        "firm": READ,
        "adviser": READ,
        "contract": READ,
        "liaison": READ,
        "room": READ,
        "recusal": READ,
        "village": READ,
        "bureau": set(),
    },
    "editor": {
        kind: set()
        for kind in ("firm", "adviser", "contract", "liaison", "room", "recusal", "village", "bureau")
    },
}
IN_SCOPE = {
    "city": [BUZHAI, CHENGXI, MINGXIANG],
    "county": [BUZHAI, CHENGXI],
    "township": [BUZHAI],
    "committee": [BUZHAI],
    "adviser": [BUZHAI],
    "editor": [],
}
ALL_VILLAGES = [BUZHAI, CHENGXI, MINGXIANG, CHAOYANG]
URL_PREFIX = {
    "firm": "firms",
    "adviser": "advisers",
    "contract": "contracts",
    "liaison": "liaison_officers",
    "room": "service_rooms",
    "recusal": "recusals",
    "village": "villages",
    "bureau": "county_bureaus",
}


def record(world, kind: str, place: str):
    """(object, text that identifies it in listings and exports) for a village or county code."""
    tag = TAGS.get(place)
    if kind == "bureau":
        bureau = world.bureaus[place]
        return bureau, bureau.name
    if kind == "village":
        from places.models import Division

        return Division.objects.get(code=place), VILLAGE_NAMES[place]
    objects = {
        "firm": world.firms,
        "adviser": world.advisers,
        "contract": world.contracts,
        "liaison": world.liaisons,
        "room": world.rooms,
        "recusal": world.recusals,
    }[kind]
    text = {
        "firm": f"机构-{tag}",
        "adviser": f"顾问-{tag}",
        "contract": f"顾问-{tag}",
        "liaison": f"联络员-{tag}",
        "room": f"服务室-{tag}",
        "recusal": f"事项-{tag}",
    }[kind]
    return objects[place], text


def places_for(kind: str, role: str) -> tuple[list[str], list[str]]:
    if kind == "bureau":
        inside = {"city": ["451402", "451422"], "county": ["451402"]}.get(role, [])
        return inside, [c for c in ("451402", "451422", "630105") if c not in inside]
    inside = IN_SCOPE[role]
    return inside, [v for v in ALL_VILLAGES if v not in inside]


def listed(html: str, text: str) -> bool:
    """Whether `text` is the content of an element (a table cell, a link), not the search box."""
    return re.search(rf">\s*{re.escape(text)}\s*<", html) is not None


def url(kind: str, action: str, pk) -> str:
    prefix = URL_PREFIX[kind]
    if action == "index":
        return reverse(f"{prefix}:index")
    # Villages have no edit or delete views at all (names come from the division data).
    return f"/admin/{prefix}/{action}/{pk}/"


@pytest.mark.parametrize("role", list(EXPECTED))
def test_permission_matrix(client, world, accounts, role):
    client.force_login(accounts[role])
    problems: list[str] = []

    def check(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    for kind, allowed in EXPECTED[role].items():
        inside, outside = places_for(kind, role)
        for place in inside + outside:
            obj, text = record(world, kind, place)
            in_scope = place in inside
            label = f"{role} {kind} {'in' if in_scope else 'out of'} scope ({place})"

            listing = client.get(url(kind, "index", None), {"q": text})
            if L in allowed:
                check(listing.status_code == 200, f"{label}: list → {listing.status_code}")
                shown = listed(listing.content.decode(), text)
                check(shown == in_scope, f"{label}: {'missing from' if in_scope else 'shown in'} listing")
            else:
                check(listing.status_code == 403, f"{label}: list → {listing.status_code}, expected 403")

            export = client.get(url(kind, "index", None), {"q": text, "export": "csv"})
            if X in allowed:
                body = (
                    b"".join(export.streaming_content).decode()
                    if export.streaming
                    else export.content.decode()
                )
                check(export.status_code == 200, f"{label}: export → {export.status_code}")
                check(
                    (text in body) == in_scope,
                    f"{label}: {'missing from' if in_scope else 'shown in'} export",
                )
            else:
                check(export.status_code == 403, f"{label}: export → {export.status_code}, expected 403")

            for action, key in (("inspect", V), ("edit", E), ("delete", D)):
                status = client.get(url(kind, action, obj.pk)).status_code
                if in_scope and key in allowed:
                    check(status == 200, f"{label}: {action} → {status}, expected 200")
                elif in_scope:
                    check(
                        status in (403, 404) if kind == "village" else status == 403,
                        f"{label}: {action} → {status}, expected 403",
                    )
                else:
                    check(status in (403, 404), f"{label}: {action} → {status}, expected 403 or 404")
    assert not problems, "\n".join(problems)


def test_out_of_scope_post_changes_nothing(client, world, accounts):
    """A forged POST to edit or delete another county's contract is refused and changes nothing."""
    client.force_login(accounts["county"])
    contract = world.contracts[MINGXIANG]
    response = client.post(reverse("contracts:delete", args=[contract.pk]))
    assert response.status_code == 404
    response = client.post(reverse("contracts:edit", args=[contract.pk]), {"note": "forged"})
    assert response.status_code == 404
    contract.refresh_from_db()
    assert contract.note == ""


def test_contract_form_refuses_a_village_out_of_scope(client, world, accounts, today):
    """The village field only accepts villages in scope, even when the id is typed into the POST."""
    from advisers.models import ServiceContract

    client.force_login(accounts["county"])
    before = ServiceContract.objects.count()
    response = client.post(
        reverse("contracts:add"),
        {
            "village": MINGXIANG,
            "adviser": world.advisers[BUZHAI].pk,
            "selection": "two_way",
            "status": "draft",
            "start_date": today.isoformat(),
            "end_date": today.replace(year=today.year + 1).isoformat(),
            "annual_fee": "3000",
            "schedules-TOTAL_FORMS": "0",
            "schedules-INITIAL_FORMS": "0",
            "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert ServiceContract.objects.count() == before


@pytest.mark.parametrize(
    ("role", "chooser", "inside", "outside"),
    [
        ("county", "village_chooser", "卜寨村委会", "明祥社区居委会"),
        ("township", "village_chooser", "卜寨村委会", "城西社区居委会"),
        ("county", "adviser_chooser", "顾问-卜寨", "顾问-明祥"),
        ("city", "adviser_chooser", "顾问-明祥", "顾问-朝阳"),
    ],
)
def test_choosers_offer_only_records_in_scope(client, world, accounts, role, chooser, inside, outside):
    client.force_login(accounts[role])
    for name, expected in ((inside, True), (outside, False)):
        response = client.get(reverse(f"{chooser}:choose_results"), {"q": name[:3]})
        assert response.status_code == 200
        assert (name in response.content.decode()) is expected, name


def test_chosen_view_refuses_out_of_scope(client, world, accounts):
    client.force_login(accounts["county"])
    assert client.get(reverse("village_chooser:chosen", args=[BUZHAI])).status_code == 200
    assert client.get(reverse("village_chooser:chosen", args=[MINGXIANG])).status_code == 404
    assert (
        client.get(reverse("adviser_chooser:chosen", args=[world.advisers[MINGXIANG].pk])).status_code == 404
    )


def test_staff_without_scope_sees_nothing(client, world, staff):
    """An account in a bureau group whose scope was never set sees no records at all (fail closed)."""
    from backoffice import roles

    user = staff("new_officer", roles.COUNTY_BUREAU)
    client.force_login(user)
    response = client.get(reverse("contracts:index"))
    assert response.status_code == 200
    for tag in TAGS.values():
        assert f"顾问-{tag}" not in response.content.decode()


# --- choosers, chosen endpoints, prefills and the page tree (issue 11) ---------------------------

CHOOSERS = {"village": "village_chooser", "adviser": "adviser_chooser"}


def chooser_id(world, kind: str, place: str):
    return place if kind == "village" else world.advisers[place].pk


@pytest.mark.parametrize("role", list(EXPECTED))
def test_chosen_matrix(client, world, accounts, role):
    """`chosen/<id>/` of the village and adviser choosers answers only records in scope."""
    client.force_login(accounts[role])
    problems: list[str] = []
    for kind, chooser in CHOOSERS.items():
        for place in ALL_VILLAGES:
            pk = chooser_id(world, kind, place)
            status = client.get(reverse(f"{chooser}:chosen", args=[pk])).status_code
            if (status == 200) != (place in IN_SCOPE[role]) or status >= 500:
                problems.append(f"{role} {kind} chosen {place} → {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_prefill_matrix(client, world, accounts, role):
    """The contract form's ?village=&adviser= prefill keeps only records in the user's scope."""
    client.force_login(accounts[role])
    problems: list[str] = []
    for place in ALL_VILLAGES:
        response = client.get(
            reverse("contracts:add"), {"village": place, "adviser": world.advisers[place].pk}
        )
        if E not in EXPECTED[role]["contract"]:
            if response.status_code != 403:
                problems.append(f"{role} prefill {place} → {response.status_code}, expected 403")
            continue
        initial = response.context["form"].initial
        shown = "village" in initial or "adviser" in initial
        if shown != (place in IN_SCOPE[role]):
            problems.append(f"{role} prefill {place}: {'kept' if shown else 'dropped'}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def chengbei_page(divisions):
    """A second site (城北, area 630105) with an article, beside the default site (崇左, 4514)."""
    from django.core.cache import cache
    from wagtail.models import Site

    from content.models import HomePage
    from sites.models import JurisdictionSettings
    from tests.content_helpers import articles_index, make_article

    cache.clear()
    default = Site.objects.get(is_default_site=True)
    settings = JurisdictionSettings.for_site(default)
    settings.area_codes = "4514"
    settings.save()
    home = default.root_page.get_parent().add_child(instance=HomePage(title="城北区首页", slug="cb-home"))
    site = Site.objects.create(hostname="chengbei.example", port=80, root_page=home, site_name="城北")
    other = JurisdictionSettings.for_site(site)
    other.area_codes = "630105"
    other.save()
    ours = make_article(articles_index(), title="崇左的文章", slug="ours")
    theirs = make_article(articles_index(home), title="城北的文章", slug="theirs")
    yield ours, theirs
    cache.clear()


def test_page_tree_matrix(world, accounts, chengbei_page):
    """No account scoped to 崇左 may touch 城北's pages; 崇左's content roles edit 崇左's."""
    from backoffice import roles

    from .conftest import make_staff

    ours, theirs = chengbei_page
    users = dict(accounts)
    users["editor_4514"] = make_staff("editor_4514", roles.CONTENT_EDITOR, "4514")
    users["reviewer_4514"] = make_staff("reviewer_4514", roles.CONTENT_REVIEWER, "4514")
    problems = []
    for name, user in users.items():
        perms = theirs.permissions_for_user(user)
        actions = {
            "edit": perms.can_edit(),
            "publish": perms.can_publish(),
            "unpublish": perms.can_unpublish(),
            "delete": perms.can_delete(),
            "move": perms.can_move(),
            "copy": perms.can_copy(),
            "add": perms.can_add_subpage(),
        }
        allowed = [action for action, ok in actions.items() if ok]
        if allowed:
            problems.append(f"{name} may {', '.join(allowed)} 城北's page")
    if not ours.permissions_for_user(users["editor_4514"]).can_edit():
        problems.append("editor_4514 cannot edit 崇左's page")
    if not ours.permissions_for_user(users["reviewer_4514"]).can_publish():
        problems.append("reviewer_4514 cannot publish 崇左's page")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_history_and_usage_stop_at_the_scope(client, world, accounts, role):
    """Every scoped viewset's history page goes through the scope; Wagtail's usage view is off."""
    client.force_login(accounts[role])
    problems = []
    for kind, allowed in EXPECTED[role].items():
        inside, outside = places_for(kind, role)
        for place in inside + outside:
            obj, _text = record(world, kind, place)
            history = client.get(f"/admin/{URL_PREFIX[kind]}/history/{obj.pk}/").status_code
            usage = client.get(f"/admin/{URL_PREFIX[kind]}/usage/{obj.pk}/").status_code
            if place in outside and history not in (403, 404):
                problems.append(f"{role} {kind} out of scope ({place}): history → {history}")
            if place in inside and V in allowed and kind != "village" and history != 200:
                problems.append(f"{role} {kind} in scope ({place}): history → {history}")
            if usage != 404:
                problems.append(f"{role} {kind} ({place}): usage → {usage}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_chosen_multiple_matrix(client, world, accounts, role):
    """`chosen-multiple/?id=…&id=…` returns only the records in scope, whatever ids are asked."""
    client.force_login(accounts[role])
    problems: list[str] = []
    for kind, chooser in CHOOSERS.items():
        ids = {place: str(chooser_id(world, kind, place)) for place in ALL_VILLAGES}
        response = client.get(reverse(f"{chooser}:chosen_multiple"), {"id": list(ids.values())})
        if response.status_code >= 500:
            problems.append(f"{role} {kind} chosen-multiple → {response.status_code}")
            continue
        returned = set()
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            returned = {str(item["id"]) for item in response.json().get("result", [])}
        expected = {ids[place] for place in IN_SCOPE[role]}
        if returned != expected:
            problems.append(
                f"{role} {kind} chosen-multiple → {sorted(returned)}, expected {sorted(expected)}"
            )
    assert not problems, "\n".join(problems)
