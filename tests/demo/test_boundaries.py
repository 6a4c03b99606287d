"""The demo stays out of production (issue 13 item 1): the plain `hotline seed` loads the
category tree from tickets' own data without importing ``hotline.demo``; the gazetteer reads
the organisation tree and the place-name table administrators edit; the demo landmarks are in
that table only after `seed --demo`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from hotline.routing import gazetteer, suggestions
from hotline.routing.models import PlaceKind, PlaceName
from hotline.tickets.category_tree import iter_categories
from tests.cli.process import run_hotline

SRC = Path(__file__).resolve().parents[2] / "src" / "hotline"
# the only modules outside the package that may import it
DEMO_IMPORTERS = {"config/management/commands/seed.py", "config/management/commands/demo.py"}

PLAIN_SEED = """
import json, sys
from django.core.management import call_command
from hotline.orgs.models import Organisation
from hotline.routing.models import PlaceName
from hotline.tickets.models import Category
call_command("seed", stdout=sys.stderr)
print(json.dumps({
    "demo_modules": sorted(m for m in sys.modules if m.split(".")[:2] == ["hotline", "demo"]),
    "categories": Category.objects.count(),
    "organisations": Organisation.objects.count(),
    "places": PlaceName.objects.count(),
}))
"""


def test_plain_seed_loads_the_category_tree_without_the_demo(tmp_path):
    # given a fresh database
    migrated = run_hotline("migrate", "--verbosity", "0", data_dir=tmp_path, timeout=180)
    assert migrated.returncode == 0, migrated.stderr
    # when `hotline seed` (without --demo) runs in a fresh process
    ran = run_hotline("shell", "-c", PLAIN_SEED, data_dir=tmp_path, timeout=180)
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout.strip().splitlines()[-1])
    # then the whole production tree is there, and nothing of the demo was imported or loaded
    assert found["demo_modules"] == []
    assert found["categories"] == len(list(iter_categories())) > 50
    assert found["organisations"] == 0 and found["places"] == 0


def test_domain_code_never_imports_the_demo():
    pattern = re.compile(
        r"^\s*(from\s+hotline\.demo\b|import\s+hotline\.demo\b|from\s+hotline\s+import\s+demo\b)"
    )
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("demo/") or relative in DEMO_IMPORTERS:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        offenders += [f"{relative}:{n}" for n, line in enumerate(lines, 1) if pattern.match(line)]
    assert offenders == []


@pytest.mark.django_db
def test_the_demo_landmarks_come_from_the_place_name_table(demo_orgs):
    # given the test database, seeded as `seed --demo` seeds it
    landmark = PlaceName.objects.get(name="蔡国故城遗址")
    assert landmark.county.code == "411722" and landmark.kind == PlaceKind.LANDMARK
    gazetteer.reset()
    assert suggestions.locate("蔡国故城遗址停车场", "").county == "411722"
    # when the place names are removed (a production database has none)
    PlaceName.objects.all().delete()
    # then the landmark is unknown, while counties and townships of the organisation tree are
    assert suggestions.locate("蔡国故城遗址停车场", "").county == ""
    # (嵖岈山风景区 still points to 遂平, through the township 嵖岈山镇 of the tree)
    assert suggestions.locate("嵖岈山风景区停车场", "").evidence == ["嵖岈山"]
    place = suggestions.locate("上蔡县蔡都街道", "")
    assert (place.county, place.township) == ("411722", "411722-01")
    assert suggestions.locate("", "市民反映水屯镇集市垃圾无人清运").township == "411702-09"


@pytest.mark.django_db
def test_the_demo_place_names_load_once(demo_orgs):
    from hotline.demo.orgs import seed_places

    count = PlaceName.objects.count()
    assert count > 200
    assert seed_places() == 0 and PlaceName.objects.count() == count


@pytest.mark.django_db
def test_the_gazetteer_reads_a_place_name_added_in_the_back_office(demo_orgs):
    from hotline.orgs.models import User

    gazetteer.reset()
    assert suggestions.locate("", "天中湿地公园门口有人乱倒垃圾").county == ""  # built, cached
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/routing/placename/add/")
    assert page.status_code == 200 and "所属县区" in page.content.decode()
    # when an administrator adds a landmark with an alias
    added = client.post(
        "/admin/routing/placename/add/",
        {
            "name": "天中湿地公园",
            "kind": PlaceKind.LANDMARK,
            "county": demo_orgs["411727"].pk,
            "aliases": "湿地公园北门",
            "active": "on",
        },
    )
    assert added.status_code == 302
    # then the cached gazetteer is rebuilt and recognises it and its alias
    place = suggestions.locate("", "天中湿地公园门口有人乱倒垃圾")
    assert place.county == "411727" and place.evidence == ["天中湿地公园"]
    assert suggestions.locate("湿地公园北门", "").county == "411727"
    # and switching it off takes it out again
    row = PlaceName.objects.get(name="天中湿地公园")
    row.active = False
    row.save()
    assert suggestions.locate("", "天中湿地公园门口").county == ""
    listing = client.get("/admin/routing/placename/", {"q": "嵖岈山", "kind": "landmark"})
    assert listing.status_code == 200 and "嵖岈山风景区" in listing.content.decode()
