"""`hotline seed --demo`: the organisations, users and roles of API.md "Demo data".

The expected codes, kinds and names are copied from API.md, not from the seeding code, so a
change to the demo data that breaks the public contract fails here.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from hotline.calendar.models import CalendarDay, CalendarYear
from hotline.orgs.models import Organisation, Role, User

pytestmark = pytest.mark.django_db

COUNTIES = {
    "411702": "驿城区",
    "411721": "西平县",
    "411722": "上蔡县",
    "411723": "平舆县",
    "411724": "正阳县",
    "411725": "确山县",
    "411726": "泌阳县",
    "411727": "汝南县",
    "411728": "遂平县",
    "411729": "新蔡县",
    "zone-demo": "市城乡一体化示范区",
    "zone-econ": "经济开发区",
    "zone-hitech": "高新技术产业开发区",
}
CITY_DEPARTMENTS = [
    "housing",
    "urban",
    "market",
    "hrss",
    "education",
    "health",
    "ecology",
    "transport",
    "police",
    "natres",
    "water-res",
    "civil",
    "medins",
    "commerce",
    "devreform",
]
UTILITIES = ["util-water", "util-power", "util-gas", "util-heat"]
SUBCENTERS = ["sub-12315", "sub-12366", "sub-12333"]
CENTER_USERS = {
    "admin": "administrator",
    "agent": "agent",
    "dispatcher": "dispatcher",
    "callback": "callback",
    "supervisor": "supervisor",
    "analyst": "analyst",
    "inspector": "inspector",
}
RULES_ROLES = {
    "agent",
    "dispatcher",
    "callback",
    "supervisor",
    "unit_handler",
    "unit_leader",
    "county_dispatcher",
    "analyst",
    "administrator",
    "inspector",
    "guest_agent",
}
# the phone switch's client role of API.md (Telephony: "the `cti` role"); no person holds it
API_ROLES = {"cti"}


def tree() -> dict[str, tuple[str, str | None]]:
    return {
        org.code: (org.kind, org.parent.code if org.parent_id else None)
        for org in Organisation.objects.select_related("parent")
    }


def test_demo_tree_has_the_oversight_center_and_supervision_office():
    # given the demo data
    orgs = {o.code: o for o in Organisation.objects.filter(parent__isnull=True)}
    # then the government office is the one root, above the center and the supervision office
    assert list(orgs) == ["gov-office"]
    assert orgs["gov-office"].name == "驻马店市人民政府办公室"
    assert orgs["gov-office"].kind == "oversight"
    city = Organisation.objects.get(code="city")
    assert (city.name, city.kind, city.parent.code) == (
        "驻马店市12345政务服务便民热线中心",
        "center",
        "gov-office",
    )
    inspection = Organisation.objects.get(code="inspection")
    assert (inspection.name, inspection.kind) == ("驻马店市人民政府督查室", "supervision_office")
    assert inspection.parent.code == "gov-office"


def test_demo_tree_has_the_13_county_bodies_under_the_center():
    # given the demo data
    # then each of the 10 counties/districts and 3 zones has a county body under the center
    orgs = tree()
    for code, place in COUNTIES.items():
        assert orgs[code] == ("county", "city"), code
        assert place in Organisation.objects.get(code=code).name
    assert sum(1 for kind, _parent in orgs.values() if kind == "county") == 13


def test_art7_every_county_has_at_least_two_units_of_its_own():
    # given the demo data (two-level dispatch: a county body dispatches to its own units)
    orgs = tree()
    for county in COUNTIES:
        # then <county>-01 and <county>-02 at least exist, as units under that county
        units = [c for c in orgs if re.fullmatch(rf"{re.escape(county)}-\d\d", c)]
        assert len(units) >= 2, county
        assert {f"{county}-01", f"{county}-02"} <= set(units)
        for code in units:
            assert orgs[code] == ("unit", county), code


def test_demo_tree_has_the_city_departments_utilities_and_subcenters():
    # given the demo data
    orgs = tree()
    # then the 15 city departments and 4 utilities are units, the 3 sub-centers sub-centers,
    # all directly under the center
    for code in CITY_DEPARTMENTS + UTILITIES:
        assert orgs[code] == ("unit", "city"), code
    for code in SUBCENTERS:
        assert orgs[code] == ("subcenter", "city"), code
    assert len(CITY_DEPARTMENTS) == 15


def test_demo_tree_paths_follow_the_parents():
    # given the materialised paths used for scoping
    # then every path is the parent's path plus the organisation's own code
    for org in Organisation.objects.select_related("parent"):
        expected = (org.parent.path if org.parent_id else "/") + f"{org.code}/"
        assert org.path == expected, org.code


def test_art9_every_handling_unit_records_leader_responsible_person_and_liaison():
    # given every handling unit of the demo (units, county bodies, sub-centers)
    units = Organisation.objects.filter(kind__in=["unit", "county", "subcenter"])
    assert units.count() > 60
    for org in units:
        people = [org.leader_name, org.responsible_name, org.liaison_name]
        phones = [org.leader_phone, org.responsible_phone, org.liaison_phone]
        # then three different people are recorded, each with a phone number
        assert all(people) and len(set(people)) == 3, org.code
        assert all(re.fullmatch(r"[0-9-]{7,}", phone) for phone in phones), (org.code, phones)


def test_every_organisation_has_its_org_user():
    # given the demo data
    # then every organisation C has a user org.C of that organisation
    users = {
        u.username: u.organisation.code
        for u in User.objects.filter(username__startswith="org.").select_related("organisation")
    }
    for code in Organisation.objects.values_list("code", flat=True):
        assert users.get(f"org.{code}") == code, code


def test_county_org_users_also_dispatch_and_unit_org_users_handle():
    # given the org users
    county = User.objects.get(username="org.411702")
    unit = User.objects.get(username="org.housing")
    township = User.objects.get(username="org.411702-01")
    # then a county body's user handles and dispatches (Art 14(2)); a unit's user handles
    assert county.role_codes() == {"unit_handler", "county_dispatcher"}
    assert unit.role_codes() == {"unit_handler"}
    assert township.role_codes() == {"unit_handler"}


@pytest.mark.parametrize(("username", "role"), sorted(CENTER_USERS.items()))
def test_center_users_have_their_role_and_log_in_with_the_demo_password(client, username, role):
    # given a demo user of the center or the supervision office
    user = User.objects.get(username=username)
    # then it holds its role and signs in with the documented demo password
    assert role in user.role_codes()
    assert authenticate(username=username, password="Demo#12345") == user
    assert authenticate(username=username, password="demo#12345") is None
    assert client.login(username=username, password="Demo#12345")


def test_the_administrator_reaches_the_back_office_and_others_do_not():
    # given the demo users
    # then only admin is staff (the admin site), the others are not
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(username__in=["agent", "org.housing"], is_staff=True).exists()
    assert User.objects.get(username="inspector").organisation.code == "inspection"


def test_every_role_of_rules_md_exists():
    # given the roles table (RULES.md §1) and the client roles API.md names
    # then every role exists, and no other
    assert set(Role.objects.values_list("code", flat=True)) == RULES_ROLES | API_ROLES


def snapshot() -> dict:
    return {
        "orgs": sorted(
            Organisation.objects.values_list(
                "code", "name", "kind", "parent__code", "path", "leader_name", "liaison_phone"
            )
        ),
        "users": sorted(
            User.objects.values_list("username", "organisation__code", "is_staff", "is_active")
        ),
        "user_roles": sorted(
            User.roles.through.objects.values_list("user__username", "role__code")
        ),
        "roles": sorted(Role.objects.values_list("code", flat=True)),
        "calendar": sorted(CalendarDay.objects.values_list("date", "working", "note")),
        "years": sorted(CalendarYear.objects.values_list("year", "confirmed", "source")),
    }


def test_seed_demo_again_changes_nothing():
    # given the demo data already loaded (the test database is seeded once per session)
    before = snapshot()
    # when `hotline seed --demo` runs again
    call_command("seed", demo=True, days=0, verbosity=0)
    # then no organisation, user, role or calendar day is added, duplicated or changed
    after = snapshot()
    assert after == before
    usernames = [username for username, *_rest in after["users"]]
    assert len(usernames) == len(set(usernames))
    assert len(after["user_roles"]) == len(set(after["user_roles"]))
    # and the demo password still works
    assert authenticate(username="org.411702", password="Demo#12345") is not None
