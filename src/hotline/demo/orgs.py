"""Demo organisations, users (API.md "Demo data") and place names. Idempotent: safe to run
twice."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from hotline.demo import org_data as demo_data
from hotline.orgs.choices import OrgKind, RoleCode
from hotline.orgs.models import Organisation
from hotline.orgs.services import organisation_upsert, roles_ensure, user_upsert
from hotline.routing.gazetteer import place_names_load

DEMO_PASSWORD = "Demo#12345"  # noqa: S105 — documented demo credential, demo mode only

CENTER_USERS = [
    ("admin", "city", [RoleCode.ADMINISTRATOR], "系统管理员", True),
    ("agent", "city", [RoleCode.AGENT], "话务员 王丽", False),
    ("dispatcher", "city", [RoleCode.DISPATCHER], "派单员 李强", False),
    ("callback", "city", [RoleCode.CALLBACK], "回访员 赵敏", False),
    ("supervisor", "city", [RoleCode.SUPERVISOR], "审核督办员 陈刚", False),
    ("analyst", "city", [RoleCode.ANALYST], "数据分析员 刘洋", False),
    ("inspector", "inspection", [RoleCode.INSPECTOR], "督查员 孙涛", False),
    # the phone switch's client account (API.md, Telephony), not a person
    ("cti", "city", [RoleCode.CTI], "话务系统接口", False),
]


def _people(code: str) -> dict[str, str]:
    people = demo_data.responsible_people(code)
    return {
        "leader_name": people["leader"][0],
        "leader_phone": people["leader"][1],
        "responsible_name": people["responsible"][0],
        "responsible_phone": people["responsible"][1],
        "liaison_name": people["liaison"][0],
        "liaison_phone": people["liaison"][1],
    }


@transaction.atomic
def seed_organisations() -> list[Organisation]:
    created: list[Organisation] = []

    def add(code: str, name: str, kind: str, parent: Organisation | None, **extra) -> Organisation:
        org = organisation_upsert(
            code=code, name=name, kind=kind, parent=parent, **_people(code), **extra
        )
        created.append(org)
        return org

    gov = add("gov-office", "驻马店市人民政府办公室", OrgKind.OVERSIGHT, None)
    city = add("city", "驻马店市12345政务服务便民热线中心", OrgKind.CENTER, gov)
    add("inspection", "驻马店市人民政府督查室", OrgKind.SUPERVISION_OFFICE, gov)
    for county in demo_data.COUNTIES:
        body = add(
            county["code"],
            county["body_name"],
            OrgKind.COUNTY,
            city,
            short_name=county["name"],
            keywords=" ".join(county.get("aliases", [])),
        )
        units = [
            *demo_data.TOWNSHIPS[county["code"]],
            *demo_data.COUNTY_DEPARTMENTS[county["code"]],
        ]
        for unit in units:
            add(unit["code"], unit["name"], OrgKind.UNIT, body)
    for dept in demo_data.CITY_DEPARTMENTS:
        add(
            dept["code"],
            dept["name"],
            OrgKind.UNIT,
            city,
            short_name=dept.get("short", ""),
            keywords=" ".join(dept.get("duties", [])),
        )
    for sub in demo_data.SUBCENTERS:
        add(
            sub["code"],
            sub["name"],
            OrgKind.SUBCENTER,
            city,
            short_name=sub.get("short", ""),
            keywords=" ".join(sub.get("duties", [])),
        )
    return created


@transaction.atomic
def seed_users(orgs: list[Organisation]) -> int:
    role_objects = roles_ensure()
    by_code = {org.code: org for org in orgs}
    count = 0
    # One hash for all demo users: hashing ~200 passwords one by one takes most of a minute.
    password_hash = make_password(DEMO_PASSWORD)
    for username, org_code, roles, name, superuser in CENTER_USERS:
        user_upsert(
            username=username,
            organisation=by_code[org_code],
            roles=roles,
            display_name=name,
            password_hash=password_hash,
            is_superuser=superuser,
            is_staff=superuser,
            role_objects=role_objects,
        )
        count += 1
    for org in orgs:
        if org.kind == OrgKind.COUNTY:
            roles = [RoleCode.UNIT_HANDLER, RoleCode.COUNTY_DISPATCHER]
        elif org.kind in (OrgKind.UNIT, OrgKind.SUBCENTER):
            roles = [RoleCode.UNIT_HANDLER]
        elif org.kind == OrgKind.SUPERVISION_OFFICE:
            roles = [RoleCode.INSPECTOR]
        elif org.kind == OrgKind.CENTER:
            roles = [RoleCode.SUPERVISOR]
        else:
            roles = [RoleCode.ANALYST]
        user_upsert(
            username=f"org.{org.code}",
            organisation=org,
            roles=roles,
            display_name=f"{org.short_name or org.name}承办人",
            password_hash=password_hash,
            role_objects=role_objects,
        )
        count += 1
    return count


# the keys of ``org_data.PLACES`` and the kind each becomes in the place-name table
PLACE_KINDS = {"roads": "road", "communities": "community", "landmarks": "landmark"}


def seed_places() -> int:
    """The demo roads, compounds and landmarks into the gazetteer's place-name table (the demo
    organisations first). Returns how many were added."""
    return place_names_load(
        {
            county: {PLACE_KINDS[key]: names for key, names in groups.items()}
            for county, groups in demo_data.PLACES.items()
        }
    )
