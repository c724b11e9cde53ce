"""/api/village-assignments: the contract, and the same rules as the services."""

import datetime

import pytest
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre
from zuzhi.village_work import services
from zuzhi.village_work.models import MonthlyReport, Review

from .conftest import REPORT, id_number

URL = "/api/village-assignments"


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def this_month() -> str:
    return timezone.localdate().replace(day=1).isoformat()


def test_the_cadre_section_assigns_lists_and_ends(county, world, api_as):
    api = api_as(world.officer)
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(50))
    created = post(
        api,
        URL,
        {
            "cadre_id": cadre.pk,
            "village_id": county.village_a2.pk,
            "role": "team_member",
            "sending_unit": "县财政局",
            "start": "2026-01-01",
            "end": "2027-12-31",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["township_name"] == "城关镇党委" and body["role_label"] == "工作队员"
    listed = api.get(URL, {"township": county.town_a.pk}).json()
    assert {a["cadre_name"] for a in listed["items"]} == {"赵驻村", "孙"}
    ended = post(api, f"{URL}/{body['id']}/end", {"ended_on": "2026-02-01", "reason": "调整"})
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again = post(api, f"{URL}/{body['id']}/end", {"ended_on": "2026-02-01", "reason": "调整"})
    assert again.status_code == 409


def test_a_village_outside_the_cadre_section_is_the_logged_404(county, world, api_as):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    b_section = user_with_role(Role.CADRE_STAFF, county.town_b)
    cadre = make_cadre(county.town_b, name="孙", id_number=id_number(51))
    before = denials()
    response = post(
        api_as(b_section),
        URL,
        {
            "cadre_id": cadre.pk,
            "village_id": county.village_a1.pk,
            "role": "team_member",
            "sending_unit": "乡政府",
            "start": "2026-01-01",
            "end": "2026-12-31",
        },
    )
    assert response.status_code == 404 and denials() == before + 1


def test_the_cadre_files_a_report_and_reads_their_review(world, api_as):
    api = api_as(world.secretary_user)
    mine = api.get(URL, {"box": "mine"}).json()["items"]
    assert [a["id"] for a in mine] == [world.assignment.pk]
    url = f"{URL}/{world.assignment.pk}/reports"
    created = post(api, url, {"month": this_month(), **REPORT})
    assert created.status_code == 201, created.json()
    duplicate = post(api, url, {"month": this_month(), **REPORT})
    assert duplicate.status_code == 400
    assert "不能重复提交" in duplicate.json()["errors"]["month"][0]
    report = MonthlyReport.objects.get()
    reviewed = post(
        api_as(world.officer),
        f"{url}/{report.pk}/review",
        {"date": timezone.localdate().isoformat(), "grade": "fairly_good", "comments": "扎实"},
    )
    assert reviewed.status_code == 201, reviewed.json()
    reviews = api.get(f"{URL}/{world.assignment.pk}/reviews").json()
    assert [(r["grade_label"], r["comments"]) for r in reviews] == [("较好", "扎实")]
    assert [r["month"] for r in api.get(url).json()["items"]] == [this_month()]


def test_another_cadre_cannot_submit_for_someone_else(world, api_as):
    before = denials()
    response = post(
        api_as(world.other_user),
        f"{URL}/{world.assignment.pk}/reports",
        {"month": this_month(), **REPORT},
    )
    assert response.status_code == 404
    assert denials() == before + 1
    assert not MonthlyReport.objects.exists()


def test_township_staff_read_reports_not_reviews_and_cannot_review(world, api_as, town_a_user):
    report = services.report_submit(
        actor=SYSTEM, assignment=world.assignment, month=datetime.date(2025, 5, 1), **REPORT
    )
    api = api_as(town_a_user)
    assert api.get(f"{URL}/{world.assignment.pk}").status_code == 200
    reports = api.get(f"{URL}/{world.assignment.pk}/reports").json()["items"]
    assert [r["work_done"] for r in reports] == [REPORT["work_done"]]
    assert api.get(f"{URL}/{world.assignment.pk}/reviews").json() == []
    before = denials()
    response = post(
        api,
        f"{URL}/{world.assignment.pk}/reports/{report.pk}/review",
        {"date": "2025-06-03", "grade": "good"},
    )
    assert response.status_code == 404 and denials() == before + 1
    assert not Review.objects.exists()
    # Another township's assignment does not exist for them.
    assert api.get(f"{URL}/{world.other_assignment.pk}").status_code == 404


@pytest.mark.parametrize("who", ["county_user", "branch_a1_user"])
def test_others_see_nothing(world, api_as, request, who):
    api = api_as(request.getfixturevalue(who))
    assert api.get(URL).json()["count"] == 0
    assert api.get(f"{URL}/townships").json() == []
    before = denials()
    assert api.get(f"{URL}/{world.assignment.pk}").status_code == 404
    assert denials() == before + 1


def test_township_counts(world, api_as):
    rows = api_as(world.officer).get(f"{URL}/townships").json()
    assert [(r["township_name"], r["total"]) for r in rows] == [
        ("城关镇党委", 1),
        ("城郊乡党委", 1),
    ]


def test_an_unknown_grade_is_a_field_error(world, api_as):
    report = services.report_submit(
        actor=SYSTEM, assignment=world.assignment, month=datetime.date(2025, 5, 1), **REPORT
    )
    response = post(
        api_as(world.officer),
        f"{URL}/{world.assignment.pk}/reports/{report.pk}/review",
        {"date": "2025-06-03", "grade": "excellent"},
    )
    assert response.status_code == 400 and "grade" in response.json()["errors"]


def test_the_schemas_do_not_replace_another_routers_in_the_document(db):
    """ninja names a body by its class: a second `EndIn` replaced the teams' one in the
    OpenAPI document (its `end` field vanished from /api/teams/appointments/{id}/end)."""
    from zuzhi.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "end" in schemas["EndIn"]["properties"]
    assert "ended_on" in schemas["VillageEndIn"]["properties"]
