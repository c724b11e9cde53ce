"""/api/training: the contract."""

from zuzhi.training.models import TrainingRecord


def test_progress_of_people_by_unit_and_name(world, records, api_as):
    response = api_as(world.cadre_staff).get(
        "/api/training/progress/people", {"group": "cadres", "year": 2026}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["name"], i["hours"]) for i in items] == [("李明", "1.00"), ("王芳", "1.00")]


def test_progress_by_unit(world, records, api_as, county):
    body = (
        api_as(world.cadre_staff)
        .get("/api/training/progress/units", {"group": "cadres", "year": 2026})
        .json()
    )
    assert body["requirement"]["hours"] == "50.00"
    assert {u["organization"]: u["short"] for u in body["units"]} == {
        county.town_a.name: 1,
        county.unit.name: 1,
    }


def test_a_cadre_reads_their_own_progress_only(world, records, api_as):
    client = api_as(world.cadre_user)
    mine = client.get(f"/api/training/progress/cadres/{world.cadre_a.pk}", {"year": 2026})
    assert mine.status_code == 200 and mine.json()["missing"] == "49.00"
    assert client.get(f"/api/training/progress/cadres/{world.cadre_b.pk}").status_code == 404


def test_county_staff_see_member_records_only(world, records, api_as, county_user):
    client = api_as(county_user)
    assert client.get("/api/training/records", {"group": "cadres"}).json()["items"] == []
    names = {i["person_name"] for i in client.get("/api/training/records").json()["items"]}
    assert names == {"张一", "赵二"}


def test_recording_through_the_api(world, api_as, county_user):
    payload = {
        "course_id": world.course.pk,
        "cadre_id": world.cadre_a.pk,
        "completed_on": "2026-03-02",
        "test_passed": True,
    }
    assert (
        api_as(county_user)
        .post("/api/training/records", payload, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        api_as(world.cadre_user)
        .post("/api/training/records", payload, content_type="application/json")
        .status_code
        == 404
    )
    response = api_as(world.cadre_staff).post(
        "/api/training/records", payload, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["hours"] == "1.50"
    again = api_as(world.cadre_staff).post(
        "/api/training/records", payload, content_type="application/json"
    )
    assert again.status_code == 400 and "已有" in again.json()["message"] + str(again.json())
    assert TrainingRecord.objects.count() == 1


def test_courses_and_requirements(world, api_as, county_user):
    client = api_as(world.cadre_staff)
    created = client.post(
        "/api/training/courses",
        {"title": "党纪学习", "mode": "online", "minutes": 20, "year": 2026},
        content_type="application/json",
    )
    assert created.status_code == 201
    titles = [c["title"] for c in client.get("/api/training/courses").json()["items"]]
    assert "党纪学习" in titles
    body = {"group": "cadres", "year": 2026, "hours": "40", "courses": 0}
    refused = api_as(county_user).post(
        "/api/training/requirements", body, content_type="application/json"
    )
    assert refused.status_code == 404
    assert (
        client.post("/api/training/requirements", body, content_type="application/json").json()[
            "hours"
        ]
        == "40.00"
    )
    assert client.get("/api/training/requirements", {"year": 2026}).json()["hours"] == "40.00"
    assert client.get("/api/training/requirements", {"year": 99999}).status_code == 422


def test_record_filters(world, records, api_as, county):
    import datetime

    from zuzhi.core.scope import SYSTEM
    from zuzhi.training.services import record_create

    record_create(
        actor=SYSTEM,
        course=world.short_course,
        completed_on=datetime.date(2026, 5, 1),
        cadre=world.cadre_a,
    )
    client = api_as(world.cadre_staff)

    def names(**query):
        items = client.get("/api/training/records", query).json()["items"]
        return sorted((i["person_name"], i["course_id"]) for i in items)

    assert names(course=world.short_course.pk) == [("李明", world.short_course.pk)]
    assert names(org=county.unit.pk) == [("王芳", world.course.pk)]
    assert names(q="王") == [("王芳", world.course.pk)]
    assert names(year=2025) == []
    assert client.get("/api/training/records", {"org": county.village_b1.pk}).status_code == 200
    assert (
        api_as(world.cadre_user).get("/api/training/records", {"org": county.unit.pk}).status_code
        == 404
    )
