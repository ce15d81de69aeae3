"""Demo back-office accounts, one per role, all with the password `demo12348` (listed in the README).

The password is deliberately simple for a demo and would not pass the password validators; the
accounts are created with `set_password`, which does not run them. Never load the demo into a
production database.

No demo account has an authenticator, and none is bound on first use: where the second factor is
required (production settings, or PORTAL_REQUIRE_2FA_FOR_BUREAUS=1), `admin` and the bureau
accounts enrol with a code from `manage.py issue_2fa_enrolment <username>` like any other account.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from advisers.models import LiaisonOfficer, ServiceContract
from backoffice import roles
from backoffice.models import StaffProfile
from places.models import Division

DEMO_PASSWORD = "demo12348"  # noqa: S105 -- documented demo password, demo data only
BUZHAI = "451402001201"

# username, role, scope code, organisation
STAFF = [
    ("city_bureau", roles.CITY_BUREAU, "4514", "崇左市司法局"),
    ("jiangzhou_bureau", roles.COUNTY_BUREAU, "451402", "江州区司法局"),
    ("ningming_bureau", roles.COUNTY_BUREAU, "451422", "宁明县司法局"),
    ("chengbei_bureau", roles.COUNTY_BUREAU, "630105", "城北区司法局"),
    ("taiping_office", roles.TOWNSHIP_OFFICE, "451402001", "太平街道司法所"),
    ("buzhai_committee", roles.VILLAGE_COMMITTEE, BUZHAI, "卜寨村委会"),
]
# username, role, scope code (the site whose pages they edit, see content/page_permissions.py), name
CONTENT = [
    ("editor", roles.CONTENT_EDITOR, "4514", "内容编辑（演示）"),
    ("reviewer", roles.CONTENT_REVIEWER, "4514", "内容审核（演示）"),
]


def _user(username: str, first_name: str, *, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "is_staff": superuser, "is_superuser": superuser, "email": ""},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def load_demo_accounts() -> Iterator[str]:
    """Create the demo accounts that are missing (idempotent); existing passwords are kept."""
    roles.ensure_roles()
    made = []
    _admin, created = _user("admin", "系统管理员（演示）", superuser=True)
    if created:
        made.append("admin")
    for username, role, code, organisation in STAFF:
        if not Division.objects.filter(code=code).exists():
            continue
        user, created = _user(username, f"{organisation}（演示）")
        user.groups.add(Group.objects.get(name=role))
        StaffProfile.objects.update_or_create(
            user=user, defaults={"scope_id": code, "organisation": organisation}
        )
        made += [username] if created else []
    for username, role, code, name in CONTENT:
        user, created = _user(username, name)
        user.groups.add(Group.objects.get(name=role))
        if Division.objects.filter(code=code).exists():
            StaffProfile.objects.update_or_create(
                user=user, defaults={"scope_id": code, "organisation": "崇左市司法局"}
            )
        made += [username] if created else []

    committee = get_user_model().objects.filter(username="buzhai_committee").first()
    liaison = LiaisonOfficer.objects.filter(village_id=BUZHAI, is_active=True).order_by("pk").first()
    if committee is not None and liaison is not None and liaison.user_id in (None, committee.pk):
        LiaisonOfficer.objects.filter(user=committee).exclude(pk=liaison.pk).update(user=None)
        liaison.user = committee
        liaison.save(update_fields=["user"])

    contract = ServiceContract.objects.in_force().filter(village_id=BUZHAI).select_related("adviser").first()
    if contract is not None:
        adviser_user, created = _user("buzhai_adviser", f"{contract.adviser.name}（演示顾问账号）")
        adviser_user.groups.add(Group.objects.get(name=roles.ADVISER))
        if contract.adviser.user_id != adviser_user.pk:
            type(contract.adviser).objects.filter(user=adviser_user).update(user=None)
            contract.adviser.user = adviser_user
            contract.adviser.save(update_fields=["user"])
        made += ["buzhai_adviser"] if created else []
    if made:
        yield f"Demo accounts created (password {DEMO_PASSWORD}): {', '.join(made)}."
    else:
        yield "Demo accounts already present."
