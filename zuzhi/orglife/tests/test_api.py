import datetime

from zuzhi.accounts.services import token_issue
from zuzhi.orglife.models import Meeting
from zuzhi.testing.factories import make_member, valid_id_number


def call(client, user, method, path, data=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    if method == "post":
        return client.post(f"/api{path}", data, content_type="application/json", **headers)
    return client.get(f"/api{path}", data or {}, **headers)


def test_record_list_and_scope(client, county, town_a_user, town_b_user):
    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(3)
    ]
    payload = {
        "organization_id": county.village_a1.pk,
        "kind": "theme_day",
        "date": "2026-11-05",
        "topic": "主题党日：志愿服务",
        "attendee_ids": [m.pk for m in members[:2]],
        "absences": {str(members[2].pk): "生病"},
    }
    assert call(client, town_b_user, "post", "/meetings", payload).status_code == 404
    created = call(client, town_a_user, "post", "/meetings", payload)
    assert created.status_code == 201 and created.json()["absences"] == {str(members[2].pk): "生病"}
    pk = created.json()["id"]
    assert call(client, town_b_user, "get", f"/meetings/{pk}").status_code == 404
    assert call(client, town_b_user, "get", "/meetings").json()["items"] == []
    assert [m["id"] for m in call(client, town_a_user, "get", "/meetings").json()["items"]] == [pk]
    report = call(client, town_a_user, "get", "/meetings/compliance", {"day": "2026-11-10"}).json()
    assert report["count"] == len(report["items"]) > 1
    va1 = next(r for r in report["items"] if r["organization_id"] == county.village_a1.pk)
    assert va1["held"]["theme_day"] == 1 and "committee" in va1["missing"]
    assert va1["organization_name"] == county.village_a1.name
    assert Meeting.objects.count() == 1


def test_bad_payload_is_a_chinese_field_map(client, county, town_a_user):
    body = call(
        client,
        town_a_user,
        "post",
        "/meetings",
        {"organization_id": county.village_a1.pk, "kind": "x"},
    ).json()
    assert body["message"] == "提交的数据格式不正确。" and "kind" in body["errors"]


def test_compliance_far_in_the_future_is_a_400_not_a_500(client, county, town_a_user):
    response = call(
        client,
        town_a_user,
        "get",
        "/meetings/compliance",
        {"day": "9999-12-31", "frequency": "year"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"day": ["日期应在 1900 年至 2100 年之间。"]}


def test_attendee_ids_past_64_bits_are_input_errors(client, county, town_a_user):
    payload = {
        "organization_id": county.village_a1.pk,
        "kind": "theme_day",
        "date": "2026-11-05",
        "topic": "主题党日",
        "attendee_ids": [10**20],
        "absences": {str(10**20): "生病"},
    }
    response = call(client, town_a_user, "post", "/meetings", payload)
    assert response.status_code == 422
    assert response.json()["errors"] == {"attendee_ids": ["数值太大。"], "absences": ["数值太大。"]}
    assert not Meeting.objects.exists()


def test_the_compliance_page_ignores_a_day_outside_the_calendar(client, county, town_a_user):
    client.force_login(town_a_user)
    response = client.get("/orglife/compliance/", {"day": "9999-12-31", "frequency": "year"})
    assert response.status_code == 200


def test_host_recorder_and_date_filters(client, county, town_a_user):
    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(2)
    ]
    payload = {
        "organization_id": county.village_a1.pk,
        "kind": "theme_day",
        "date": "2026-11-05",
        "topic": "主题党日",
        "attendee_ids": [m.pk for m in members],
        "host_id": members[0].pk,
        "recorder_id": members[1].pk,
    }
    created = call(client, town_a_user, "post", "/meetings", payload).json()
    assert (created["host_id"], created["recorder_id"]) == (members[0].pk, members[1].pk)
    after = call(client, town_a_user, "get", "/meetings", {"date_from": "2026-11-06"}).json()
    before = call(client, town_a_user, "get", "/meetings", {"date_to": "2026-11-05"}).json()
    assert after["items"] == [] and [m["id"] for m in before["items"]] == [created["id"]]


def test_update_and_delete_through_the_api(client, county, town_a_user, town_b_user):
    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(2)
    ]
    meeting = Meeting.objects.get(
        pk=call(
            client,
            town_a_user,
            "post",
            "/meetings",
            {
                "organization_id": county.village_a1.pk,
                "kind": "theme_day",
                "date": "2026-11-05",
                "topic": "主题党日",
                "attendee_ids": [m.pk for m in members],
            },
        ).json()["id"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=town_a_user)}"}
    body = {
        "kind": "theme_day",
        "date": "2026-11-05",
        "topic": "主题党日（更正）",
        "attendee_ids": [members[0].pk],
        "absences": {str(members[1].pk): "生病"},
        "reason": "补记缺席",
    }
    url = f"/api/meetings/{meeting.pk}"
    updated = client.put(url, body, content_type="application/json", **headers)
    assert updated.status_code == 200 and updated.json()["absences"] == {str(members[1].pk): "生病"}
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=town_b_user)}"}
    refused = client.delete(url, {"reason": "越权"}, content_type="application/json", **outsider)
    assert refused.status_code == 404
    no_reason = client.delete(url, {"reason": ""}, content_type="application/json", **headers)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    gone = client.delete(url, {"reason": "重复录入"}, content_type="application/json", **headers)
    assert gone.status_code == 204 and not Meeting.objects.exists()


def test_a_page_of_meetings_costs_the_same_queries_for_any_number(
    client, county, town_a_user, django_assert_max_num_queries
):
    from zuzhi.orglife.services import meeting_record

    members = [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(3)
    ]
    for day in range(1, 13):
        meeting_record(
            actor=town_a_user,
            organization=county.village_a1,
            kind="theme_day",
            date=datetime.date(2026, 11, day),
            topic="主题党日",
            attendee_ids=[m.pk for m in members[:2]],
            absences={members[2].pk: "生病"},
        )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=town_a_user)}"}
    # Authentication, scope, the count, the page and one query each for attendees and
    # absences: never one per meeting.
    with django_assert_max_num_queries(12):
        items = client.get("/api/meetings", **headers).json()["items"]
    assert len(items) == 12 and all(
        m["attendee_ids"] == sorted(x.pk for x in members[:2]) for m in items
    )


def test_compliance_keeps_only_the_branches_missing_a_meeting(
    client, county, town_a_user, settings
):
    from zuzhi.orglife.services import meeting_record

    member = make_member(county.village_a1, name="党员", id_number=valid_id_number("19800101", 1))
    required = [k for k, f in settings.ZUZHI_MEETING_FREQUENCY.items() if f == "month"]
    for kind in required:
        meeting_record(
            actor=town_a_user,
            organization=county.village_a1,
            kind=kind,
            date=datetime.date(2026, 11, 3),
            topic="按时开展",
            attendee_ids=[member.pk],
        )
    query = {"day": "2026-11-10", "missing": "true"}
    report = call(client, town_a_user, "get", "/meetings/compliance", query).json()
    listed = {r["organization_id"] for r in report["items"]}
    assert county.village_a1.pk not in listed and county.village_a2.pk in listed
    assert report["count"] == len(listed)
    every = call(client, town_a_user, "get", "/meetings/compliance", {"day": "2026-11-10"}).json()
    assert every["count"] == report["count"] + 1
