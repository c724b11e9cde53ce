import datetime

import pytest

from zuzhi.cadres.models import AnnualAssessment, Cadre
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.promotions import services

from .conftest import CUTOFF, EFFECTIVE


def _round(world):
    return services.promotion_round_create(
        actor=world.staff,
        organization=world.county.county,
        name="2026 年职级晋升",
        cutoff=CUTOFF,
        offers=[(world.unit, "researcher_4", 1)],
    )


def test_the_pages_of_a_round(world, cadre, grade, client_as):
    senior = cadre("资深", since=datetime.date(2010, 1, 1))
    junior = cadre("后进", since=datetime.date(2023, 1, 1))
    grade(junior, y2025="excellent")
    round_ = _round(world)
    client = client_as(world.staff)
    assert "2026 年职级晋升" in client.get("/promotions/").content.decode()
    assert client.get(f"/promotions/{round_.pk}/").status_code == 200
    page = client.get(f"/promotions/{round_.pk}/eligible/").content.decode()
    assert page.index("后进") < page.index("资深")
    assert f"/cadres/{junior.pk}/" in page  # the record, one click away
    filled = client.get(f"/promotions/{round_.pk}/eligible/?fill=1").content.decode()
    assert f'value="{junior.pk}" aria-label="选择后进" checked' in filled
    assert f'value="{senior.pk}" aria-label="选择资深" checked' not in filled
    done = client.post(
        f"/promotions/{round_.pk}/decide/",
        {"cadre_ids": [junior.pk], "effective_on": str(EFFECTIVE)},
    )
    assert done.status_code == 302
    assert Cadre.objects.get(pk=junior.pk).rank == "researcher_4"
    detail = client.get(done.url).content.decode()
    assert "晋升决定（1 人）" in detail and "安排名额" not in detail
    assert client.post(f"/promotions/{round_.pk}/close/").status_code == 302


def test_decide_refused_shows_why_and_keeps_the_selection(world, cadre, client_as):
    a, b = cadre("甲"), cadre("乙")
    round_ = _round(world)
    page = client_as(world.staff).post(
        f"/promotions/{round_.pk}/decide/",
        {"cadre_ids": [a.pk, b.pk], "effective_on": str(EFFECTIVE)},
    )
    assert page.status_code == 400
    assert "名额 1 名，选择了 2 名" in page.content.decode()
    assert not Cadre.objects.filter(rank="researcher_4").exists()


def test_create_a_round_and_an_offer(world, client_as):
    client = client_as(world.staff)
    response = client.post(
        "/promotions/new/",
        {"name": "新轮次", "organization": world.county.county.pk, "cutoff": "2026-06-30"},
    )
    assert response.status_code == 302
    round_id = int(response.url.rstrip("/").split("/")[-1])
    response = client.post(
        f"/promotions/{round_id}/offers/",
        {"organization": world.unit.pk, "rank": "researcher_4", "places": 3},
    )
    assert "不能再安排 3 名" in response.content.decode()


def test_the_grading_page(world, cadre, client_as):
    people = [cadre(f"干部{i}") for i in range(5)]
    client = client_as(world.staff)
    response = client.post(
        "/promotions/assessments/", {"organization": world.unit.pk, "year": 2025}
    )
    assert response.status_code == 302
    url = response.url
    page = client.get(url).content.decode()
    assert "优秀最多 <strong>1</strong> 名" in page
    refused = client.post(url, {f"grade_{p.pk}": "excellent" for p in people[:2]})
    assert refused.status_code == 400
    assert not AnnualAssessment.objects.exists()
    saved = client.post(
        url,
        {
            f"grade_{people[0].pk}": "excellent",
            **{f"grade_{p.pk}": "competent" for p in people[1:]},
        },
    )
    assert saved.status_code == 302
    assert AnnualAssessment.objects.count() == 5
    assert client.post(url + "close/").status_code == 302
    listed = client.get("/promotions/assessments/?year=2025").content.decode()
    assert "县教育局党组织" in listed and "已结束" in listed


@pytest.mark.parametrize("who", ["county_user", "town_a_user", "branch_a1_user"])
def test_only_the_cadre_section(world, client_as, request, who):
    round_ = _round(world)
    client = client_as(request.getfixturevalue(who))
    for url in (
        "/promotions/",
        "/promotions/new/",
        "/promotions/assessments/",
        f"/promotions/{round_.pk}/eligible/",
    ):
        before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
        assert client.get(url).status_code == 404, url
        assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() > before
