from decimal import Decimal as D

import pytest

from zuzhi.contests import services
from zuzhi.contests.models import StageKind
from zuzhi.core.models import AuditLog

from .conftest import stage_of


def test_api_create_refuses_weights_not_summing_to_100(county, county_user, api_as):
    client = api_as(county_user)
    body = {
        "organization_id": county.county.pk,
        "name": "乡镇夺杯",
        "track": "township",
        "period_label": "2026年",
        "stages": [
            {"kind": "public_report", "name": "公开汇报", "weight": "50"},
            {
                "kind": "judges",
                "name": "评审",
                "weight": "40",
                "criteria": [{"name": "成效", "max_score": "100"}],
            },
        ],
    }
    response = client.post("/api/contests", body, content_type="application/json")
    assert response.status_code == 400
    assert "合计应为 100%，现为 90%" in str(response.json()["errors"])
    body["stages"][1]["weight"] = "50"
    response = client.post("/api/contests", body, content_type="application/json")
    assert response.status_code == 201
    assert [s["weight"] for s in response.json()["stages"]] == ["50.00", "50.00"]


def test_api_township_sees_only_its_entrants(running, county, town_a_user, api_as):
    client = api_as(town_a_user)
    response = client.get(f"/api/contests/{running.pk}/entrants")
    assert response.status_code == 200
    names = {e["organization_id"] for e in response.json()["items"]}
    assert names == {county.village_a1.pk, county.village_a2.pk}
    other = running.entrants.get(organization=county.village_b1)
    leaf = stage_of(running, StageKind.INDICATORS).indicators.first()
    response = client.put(
        f"/api/contests/{running.pk}/indicator-values",
        {"entrant_id": other.pk, "indicator_id": leaf.pk, "value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.post(f"/api/contests/{running.pk}/results/compute").status_code == 404


def test_api_judge_sees_only_own_contest(running, county, county_user, judges, api_as):
    other = services.contest_copy(
        actor=county_user,
        source=running,
        organization=county.county,
        name="另一场",
        period_label="2026",
    )
    client = api_as(judges[0])
    listed = client.get("/api/contests").json()["items"]
    assert [c["id"] for c in listed] == [running.pk]
    assert client.get(f"/api/contests/{other.pk}").status_code == 404
    assert AuditLog.objects.filter(action="permission_denied", target_id=str(other.pk)).exists()


def test_api_judge_submits_once(running, county_user, judges, api_as):
    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    client = api_as(judges[0])
    url = f"/api/contests/{running.pk}/stages/{stage.pk}/sheets"
    body = {"entrant_id": entrant.pk, "marks": {str(first.pk): "50", str(second.pk): "35.5"}}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["total"] == "85.5"
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400 and "已提交过" in again.json()["message"]
    board = client.get(f"/api/contests/{running.pk}/stages/{stage.pk}/board").json()
    assert board["entrants"][0]["scores"] is None and board["entrants"][0]["submitted"] == [1]


@pytest.mark.parametrize(
    "name", ["contests:detail", "contests:values", "contests:adjustments", "contests:results"]
)
def test_pages_open_for_county_and_township(running, county_user, town_a_user, client_as, name):
    from django.urls import reverse

    for user in (county_user, town_a_user):
        response = client_as(user).get(reverse(name, args=[running.pk]))
        assert response.status_code == 200, (user, name)


def test_pages_are_scoped(running, county, town_b_user, county_user, client_as):
    from django.urls import reverse

    client = client_as(town_b_user)
    page = client.get(reverse("contests:detail", args=[running.pk])).content.decode()
    assert "张湾村党支部" in page and "李庄村党支部" not in page
    assert (
        client.get(
            reverse("contests:board", args=[running.pk, stage_of(running, "judges").pk])
        ).status_code
        == 404
    )
    own = services.contest_create(
        actor=county_user,
        organization=county.town_a,
        data={"name": "城关镇内部评比", "track": "village", "period_label": "2026"},
        stages=[{"kind": "public_report", "name": "汇报", "weight": D(100)}],
    )
    assert client.get(reverse("contests:detail", args=[own.pk])).status_code == 404


def test_result_page_and_export(running, county, county_user, judges, client_as):
    from django.urls import reverse

    from .test_services import fill_indicators, judge_all

    fill_indicators(running, county, county_user)
    judge_all(
        running, county_user, judges, {e.organization_id: [80] * 5 for e in running.entrants.all()}
    )
    client = client_as(county_user)
    response = client.post(reverse("contests:action", args=[running.pk, "compute"]))
    assert response.status_code == 302
    page = client.get(reverse("contests:results", args=[running.pk])).content.decode()
    assert "chart-data" in page and "发布结果" in page
    export = client.get(reverse("contests:results", args=[running.pk]) + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client.get(reverse("contests:results", args=[running.pk]) + "?export=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert (
        AuditLog.objects.filter(action="export", target_type="contests.resultversion").count() == 2
    )


def test_judge_phone_page_scores(running, county_user, judges, client_as):
    from django.urls import reverse

    stage = stage_of(running, StageKind.JUDGES)
    entrant = running.entrants.first()
    client = client_as(judges[1])
    url = reverse("contests:score", args=[stage.pk])
    assert "请等待" in client.get(url).content.decode()
    services.appearance_open(actor=county_user, stage=stage, entrant=entrant)
    first, second = stage.criteria.all()
    bad = client.post(url, {"entrant": entrant.pk, f"c_{first.pk}": "99", f"c_{second.pk}": "1"})
    assert "0 到 60" in bad.content.decode()
    ok = client.post(url, {"entrant": entrant.pk, f"c_{first.pk}": "55", f"c_{second.pk}": "30"})
    assert ok.status_code == 302
    assert "您已提交：合计 85" in client.get(url).content.decode()


def test_public_vote_page(running, client):
    from django.urls import reverse

    page = client.get(reverse("contests:public", args=[running.pk]))
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    assert "zuzhi_device" in page.cookies
