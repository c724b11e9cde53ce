import datetime

import pytest

from zuzhi.cadres.models import Cadre
from zuzhi.core.models import AuditAction, AuditLog

from .conftest import CUTOFF, EFFECTIVE


def _denials():
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_assessment_round_grades_and_the_cap(world, cadre, api_as):
    people = [cadre(f"干部{i}") for i in range(5)]
    api = api_as(world.staff)
    created = api.post(
        "/api/assessments",
        {"organization_id": world.unit.pk, "year": 2025},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    round_id = created.json()["id"]
    assert created.json()["excellent_limit"] == 1
    ok = api.post(
        f"/api/assessments/{round_id}/grades",
        {"grades": [{"cadre_id": people[0].pk, "result": "excellent"}]},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["excellent"] == 1
    over = api.post(
        f"/api/assessments/{round_id}/grades",
        {"grades": [{"cadre_id": people[1].pk, "result": "excellent"}]},
        content_type="application/json",
    )
    assert over.status_code == 400
    assert "优秀最多 1 名" in over.json()["message"] + str(over.json()["errors"])
    listed = api.get(f"/api/assessments?organization={world.unit.pk}&year=2025").json()
    assert [r["id"] for r in listed] == [round_id]
    assert api.get("/api/assessments?year=2024").json() == []


def test_promotion_round_create_eligible_decide(world, cadre, grade, api_as):
    senior = cadre("资深", since=datetime.date(2010, 1, 1))
    junior = cadre("后进", since=datetime.date(2023, 1, 1))
    grade(senior, y2024="competent", y2025="competent")
    grade(junior, y2024="excellent", y2025="competent")
    api = api_as(world.staff)
    created = api.post(
        "/api/promotion-rounds",
        {
            "organization_id": world.county.county.pk,
            "name": "2026 年职级晋升",
            "cutoff": str(CUTOFF),
            "offers": [{"organization_id": world.unit.pk, "rank": "researcher_4", "places": 1}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["offers"][0]["quota_free"] == 2 and body["offers"][0]["eligible"] == 2
    eligible = api.get(f"/api/promotion-rounds/{body['id']}/eligible").json()
    assert [r["name"] for r in eligible] == ["后进", "资深"]
    assert eligible[0]["score"] == 3
    decided = api.post(
        f"/api/promotion-rounds/{body['id']}/decide",
        {"cadre_ids": [junior.pk], "effective_on": str(EFFECTIVE)},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "decided"
    assert Cadre.objects.get(pk=junior.pk).rank == "researcher_4"
    assert [r["name"] for r in api.get("/api/promotion-rounds").json()] == ["2026 年职级晋升"]


def test_a_refused_offer_leaves_no_round(world, api_as):
    response = api_as(world.staff).post(
        "/api/promotion-rounds",
        {
            "organization_id": world.county.county.pk,
            "name": "越额",
            "cutoff": str(CUTOFF),
            "offers": [{"organization_id": world.unit.pk, "rank": "researcher_4", "places": 9}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert api_as(world.staff).get("/api/promotion-rounds").json() == []


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "town_b_user", "branch_a1_user"])
def test_other_sections_get_the_logged_404(world, api_as, request, who):
    from zuzhi.promotions import services

    user = request.getfixturevalue(who)
    round_ = services.promotion_round_create(
        actor=world.staff, organization=world.county.county, name="轮次", cutoff=CUTOFF
    )
    assessment = services.assessment_round_open(
        actor=world.staff, organization=world.unit, year=2025
    )
    api = api_as(user)
    for url in (
        f"/api/promotion-rounds/{round_.pk}",
        f"/api/promotion-rounds/{round_.pk}/eligible",
        f"/api/assessments/{assessment.pk}",
        "/api/promotion-rounds",
        "/api/assessments",
    ):
        before = _denials()
        assert api.get(url).status_code == 404, url
        assert _denials() > before, url
