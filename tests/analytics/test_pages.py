import pytest
from django.test import Client

from hotline.analytics.rollups import rollups_rebuild

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _client(name):
    from hotline.orgs.models import User

    c = Client()
    c.force_login(User.objects.get(username=name))
    return c


def test_dashboard_pages_by_role(make, cats):
    make(received=at("2026-11-19 09:00"), category=cats["leaf"])
    make(received=at("2026-11-19 09:00"), county="411721", unit="411721-01", category=cats["other"])
    rollups_rebuild(now=NOW)
    q = {"from": "2026-11-01", "to": "2026-11-19"}
    city = _client("analyst").get("/analytics/", q)
    assert city.status_code == 200
    assert "an-data" in city.content.decode()
    county = _client("org.411702").get("/analytics/", q).content.decode()
    assert "西平县" not in county.split("an-data")[0].split("县区分布")[1]
    x = _client("analyst").get("/analytics/", {**q, "export": "county"})
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _client("analyst").get("/analytics/alerts/panel/").status_code == 200
    assert _client("analyst").get("/analytics/echarts.min.js").status_code == 200
    for path in ("/analytics/topics/", "/analytics/unresolved/", "/analytics/reports/"):
        assert _client("supervisor").get(path).status_code == 200, path
