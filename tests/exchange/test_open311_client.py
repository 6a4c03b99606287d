"""Open311 end to end: a live server driven by the ``georeport`` client from PyPI (GET
services, definitions, requests in JSON and XML). ``georeport`` cannot create requests, so
the POST goes through ``spec_post`` below, a few lines written from the GeoReport v2 text
(form-encoded parameters, ``attribute[code]`` attributes, a JSON list answer).

This test commits (a live server is another thread with its own connection), so the
database is flushed after it; the session's demo data is put back afterwards."""

from __future__ import annotations

import pytest
import requests

georeport = pytest.importorskip("georeport", reason="pip install georeport (dev dependency)")

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "demo-open311-key"
LIGHTS = "public-services.municipal.street-lights"


def _seed_demo() -> None:
    from hotline.calendar.services import calendar_seed_official
    from hotline.demo.orgs import seed_organisations, seed_users

    calendar_seed_official()
    seed_users(seed_organisations())


@pytest.fixture(scope="module", autouse=True)
def _demo_data_back_after_the_flush(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _seed_demo()


def spec_post(root: str, *, api_key: str, service_code: str, **params) -> list[dict]:
    """POST Service Request (GeoReport v2): form-encoded; answers a list with the id."""
    data = {"api_key": api_key, "service_code": service_code}
    for key, value in params.items():
        if key == "attributes":
            data.update({f"attribute[{code}]": v for code, v in value.items()})
        else:
            data[key] = value
    response = requests.post(f"{root}/requests.json", data=data, timeout=30)
    response.raise_for_status()
    return response.json()


def test_the_georeport_client_reads_what_a_spec_client_posted(live_server):
    from hotline.exchange.services import client_key_create
    from hotline.orgs.models import User
    from hotline.tickets.categories import category_tree_load, default_tree

    if not User.objects.filter(username="agent").exists():  # flushed by an earlier test
        _seed_demo()
    category_tree_load(tree=default_tree(), update_existing=False)
    client_key_create(name="demo", key=KEY)
    root = f"{live_server.url}/open311/v2"
    as_json = georeport.GeoReport(root)
    as_xml = georeport.GeoReport(root, output_format="xml")

    services = as_json.get_service_list()
    assert LIGHTS in {s["service_code"] for s in services}
    assert {s["service_code"] for s in as_xml.get_service_list()} == {
        s["service_code"] for s in services
    }
    definition = as_json.get_service_definition(LIGHTS)
    assert {a["code"] for a in definition["attributes"]} == {"appeal_type", "county"}
    assert as_xml.get_service_definition(LIGHTS)["service_code"] == LIGHTS

    [created] = spec_post(
        root,
        api_key=KEY,
        service_code=LIGHTS,
        description="路灯不亮",
        phone="13800138000",
        lat="33.38",
        long="114.02",
        attributes={"appeal_type": "help"},
    )
    number = created["service_request_id"]
    one = as_json.get_service_request(number)
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["lat"] == pytest.approx(33.38) and "phone" not in one
    assert as_xml.get_service_request(number)["status"] == "open"
    listed = as_json.get_service_requests(service_code=LIGHTS, status="open")
    assert [r["service_request_id"] for r in listed] == [number]
    assert as_json.get_service_requests(status="closed") == []

    with pytest.raises(requests.HTTPError) as refused:
        spec_post(root, api_key="wrong", service_code=LIGHTS, description="x", phone="1")
    assert refused.value.response.status_code == 403
    assert refused.value.response.json()[0]["code"] == 403
