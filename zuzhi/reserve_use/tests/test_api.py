import datetime

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_use import services
from zuzhi.reserve_use.models import ReserveAssignment, VillageCommitteeMember
from zuzhi.reserves.models import ReserveStatus
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import valid_id_number

TASK = {"kind": "five_star", "title": "五星支部创建：产业兴旺星", "started_on": "2026-03-01"}


def test_assign_and_record_the_result(county, town_a_user, api_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    api = api_as(town_a_user)
    response = api.post(
        "/api/reserve-use/assignments",
        TASK | {"candidate_id": reserve.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    task = response.json()
    assert task["candidate_name"] == reserve.name and task["rating"] == ""
    response = api.patch(
        f"/api/reserve-use/assignments/{task['id']}",
        {"performance": "牵头成立合作社", "rating": "good"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rating"] == "good"
    listed = api.get("/api/reserve-use/assignments", {"kind": "five_star"}).json()
    assert [r["id"] for r in listed["items"]] == [task["id"]]


def test_assignment_refused_in_chinese_outside_the_pool(county, town_a_user, api_as):
    nominee = candidate_create(
        actor=town_a_user,
        data={
            "village": county.village_a1,
            "name": "候选人",
            "id_number": valid_id_number(birth="19950101", sequence=12),
            "source": "veteran",
            "discovery": "public",
        },
    )
    response = api_as(town_a_user).post(
        "/api/reserve-use/assignments",
        TASK | {"candidate_id": nominee.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "只有已入库的后备力量才能压担子" in str(response.json())
    assert not ReserveAssignment.objects.exists()


def test_election_hand_over_and_summary(county, town_a_user, county_user, api_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    response = api_as(town_a_user).post(
        "/api/reserve-use/elections",
        {
            "village_id": county.village_a1.pk,
            "held_on": "2026-03-01",
            "elected": [
                {"candidate_id": reserve.pk, "body": "village_committee", "position": "member"}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["elected"][0]["position_label"] == "委员"
    assert VillageCommitteeMember.objects.get().from_reserve == reserve
    reserve.refresh_from_db()
    assert reserve.status == ReserveStatus.APPOINTED
    summary = api_as(county_user).get("/api/reserve-use/summary").json()
    assert [(r["township_name"], r["appointed"]) for r in summary] == [
        ("城关镇党委", 1),
        ("城郊乡党委", 0),
    ]


def test_not_applied_masks_for_the_township(county, town_a_user, api_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    items = api_as(town_a_user).get("/api/reserve-use/not-applied").json()["items"]
    assert [r["id"] for r in items] == [reserve.pk]
    assert items[0]["id_number"] != reserve.id_number


def test_township_b_gets_the_logged_404(county, town_a_user, town_b_user, api_as, pool_reserve):
    reserve = pool_reserve(county.village_a1)
    task = services.assignment_create(
        actor=town_a_user,
        candidate=reserve,
        data={"kind": "grid", "title": "网格", "started_on": datetime.date(2026, 3, 1)},
    )
    response = api_as(town_b_user).get(f"/api/reserve-use/assignments/{task.pk}")
    assert response.status_code == 404
    assert AuditLog.objects.filter(
        action=AuditAction.PERMISSION_DENIED,
        target_type="reserve_use.reserveassignment",
        target_id=str(task.pk),
    ).exists()
