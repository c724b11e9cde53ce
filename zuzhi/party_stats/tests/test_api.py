"""GET /api/party-stats: the same tables as the page, as JSON, inside the caller's scope."""

import datetime

from zuzhi.party_stats.selectors import party_stats
from zuzhi.testing.factories import make_member, valid_id_number


def test_the_tables_as_json(api_as, county, county_user):
    make_member(county.village_a1, id_number=valid_id_number("19800101", 1))
    make_member(county.village_b1, id_number=valid_id_number("19750101", 2), education="")
    year = datetime.date.today().year
    body = api_as(county_user).get("/api/party-stats", {"org": county.county.pk}).json()
    stats = party_stats(user=county_user, org=county.county, year=year)
    assert body["organization"] == {"id": county.county.pk, "name": "示范县委"}
    assert body["year"] == year and body["member_total"] == 2
    assert [t["key"] for t in body["tables"]] == [t.key for t in stats.tables]
    education = next(t for t in body["tables"] if t["key"] == "education")
    assert education["total"] == 2 and education["blocked"] == 1
    assert {r["label"]: (r["count"], float(r["share"])) for r in education["rows"]}["未填写"] == (
        1,
        50.0,
    )
    assert {c["key"]: c["count"] for c in body["checks"]}["education"] == 1


def test_another_township_is_not_found(api_as, county, town_a_user):
    response = api_as(town_a_user).get("/api/party-stats", {"org": county.town_b.pk})
    assert response.status_code == 404


def test_a_future_year_is_refused(api_as, county_user):
    year = datetime.date.today().year + 1
    response = api_as(county_user).get("/api/party-stats", {"year": year})
    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["统计年度不能晚于今年。"]}
