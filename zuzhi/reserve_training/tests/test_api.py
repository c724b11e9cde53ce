import datetime

from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.reserve_training.models import MentoringDay, Mentorship, ReserveTrainingRecord

BASE = "/api/reserve-training"


def test_pair_day_and_end_through_the_api(county, town_a_user, api_as, pool_reserve, villager):
    reserve = pool_reserve(county.village_a1)
    mentor = villager(county.village_a1, name="王书记", position="secretary")
    api = api_as(town_a_user)
    created = api.post(
        f"{BASE}/mentorships",
        {"reserve_id": reserve.pk, "mentor_member_id": mentor.pk, "started_on": "2026-01-05"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mentor_name"] == "王书记" and body["mentor_kind"] == "committee"
    listed = api.get(f"{BASE}/mentorships", {"current": "true"}).json()
    assert [p["id"] for p in listed["items"]] == [body["id"]]
    day = api.post(
        f"{BASE}/mentoring-days",
        {
            "mentorship_id": body["id"],
            "date": "2026-01-05",
            "activity": "project",
            "content": "跟班",
        },
        content_type="application/json",
    )
    assert day.status_code == 201 and day.json()["activity"] == "project"
    future = api.post(
        f"{BASE}/mentoring-days",
        {
            "mentorship_id": body["id"],
            "date": str(timezone.localdate() + datetime.timedelta(days=1)),
            "activity": "visit",
            "content": "明天",
        },
        content_type="application/json",
    )
    assert future.status_code == 400 and "不能晚于今天" in future.json()["errors"]["date"][0]
    assert api.get(f"{BASE}/mentoring-days", {"mentorship": body["id"]}).json()["count"] == 1
    ended = api.post(
        f"{BASE}/mentorships/{body['id']}/end",
        {"ended_on": "2026-02-01", "reason": "调整"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-02-01"
    assert MentoringDay.objects.count() == 1 and Mentorship.objects.get().ended_on
    assert AuditLog.objects.filter(target_type__startswith="reserve_training.").count() == 3


def test_mentor_of_another_village_refused_in_chinese(
    county, town_a_user, api_as, pool_reserve, villager
):
    reserve = pool_reserve(county.village_a1)
    neighbour = villager(county.village_a2)
    response = api_as(town_a_user).post(
        f"{BASE}/mentorships",
        {"reserve_id": reserve.pk, "mentor_member_id": neighbour.pk, "started_on": "2026-01-05"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["errors"]["mentor"][0].startswith(
        "导师应为"
    )


def test_records_hours_by_the_credit_rule(county, town_a_user, api_as, pool_reserve, course):
    reserve = pool_reserve(county.village_a1)
    c = course(minutes=20, has_test=True)
    api = api_as(town_a_user)
    response = api.post(
        f"{BASE}/records",
        {
            "reserve_id": reserve.pk,
            "course_id": c.pk,
            "completed_on": "2026-01-05",
            "test_passed": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["hours"] in ("1.00", 1.0, "1.0")
    rows = api.get(f"{BASE}/records", {"reserve": reserve.pk, "year": 2026}).json()
    assert rows["count"] == 1 and rows["items"][0]["course_title"] == c.title


def test_township_b_cannot_create_for_town_a(
    county, town_a_user, town_b_user, api_as, pool_reserve, villager, course, pair
):
    reserve = pool_reserve(county.village_a1, name="周晴")
    mentor = villager(county.village_a1, name="王委员")
    p = pair()
    api = api_as(town_b_user)
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    attempts = [
        (
            "/mentorships",
            {"reserve_id": reserve.pk, "mentor_member_id": mentor.pk, "started_on": "2026-01-05"},
        ),
        (
            "/mentoring-days",
            {"mentorship_id": p.pk, "date": "2026-01-05", "activity": "visit", "content": "越权"},
        ),
        (
            "/records",
            {"reserve_id": reserve.pk, "course_id": course().pk, "completed_on": "2026-01-05"},
        ),
    ]
    for path, data in attempts:
        response = api.post(BASE + path, data, content_type="application/json")
        assert response.status_code == 404, path
    assert api.get(f"{BASE}/mentorships").json()["count"] == 0
    assert api.get(f"{BASE}/mentoring-days", {"mentorship": p.pk}).status_code == 404
    assert Mentorship.objects.count() == 1
    assert not MentoringDay.objects.exists() and not ReserveTrainingRecord.objects.exists()
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() >= before + 3
