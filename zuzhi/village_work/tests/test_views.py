"""The pages: roster, detail, the phone report form, overdue and ending lists, 我的驻村."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.village_work import rules, services
from zuzhi.village_work.models import Assignment, MonthlyReport, Review

from .conftest import REPORT


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_the_cadre_files_the_preselected_month_from_my_page(world, client_as):
    client = client_as(world.secretary_user)
    mine = client.get(reverse("village_work:mine")).content.decode()
    assert "李庄村党支部" in mine and "填写月度述职" in mine
    url = reverse("village_work:report_create", args=[world.assignment.pk])
    form = client.get(url)
    expected = rules.previous_month(timezone.localdate())
    assert form.context["form"].initial["month"] == expected.isoformat()
    response = client.post(url, {"month": expected.isoformat(), **REPORT})
    assert response.status_code == 302 and response.url == reverse("village_work:mine")
    assert MonthlyReport.objects.get().month == expected
    again = client.post(url, {"month": expected.isoformat(), **REPORT})
    assert again.status_code == 200  # the month is no longer offered
    assert MonthlyReport.objects.count() == 1


def test_another_cadre_gets_the_logged_404_on_the_form(world, client_as):
    client = client_as(world.other_user)
    url = reverse("village_work:report_create", args=[world.assignment.pk])
    before = denials()
    assert client.post(url, {"month": "2026-01-01", **REPORT}).status_code == 404
    assert denials() == before + 1
    assert not MonthlyReport.objects.exists()


def test_township_staff_read_the_roster_and_detail_without_reviews(world, client_as, town_a_user):
    report = services.report_submit(
        actor=SYSTEM, assignment=world.assignment, month=datetime.date(2025, 5, 1), **REPORT
    )
    services.review_record(
        actor=SYSTEM,
        report=report,
        date=datetime.date(2025, 6, 3),
        grade=services.ReviewGrade.objects.get(code="poor"),
        comments="进度滞后，需加强",
    )
    client = client_as(town_a_user)
    roster = client.get(reverse("village_work:roster")).content.decode()
    assert "赵驻村" in roster and "钱驻村" not in roster
    detail = client.get(reverse("village_work:assignment_detail", args=[world.assignment.pk]))
    body = detail.content.decode()
    assert REPORT["work_done"] in body
    assert "进度滞后" not in body and "记录述职评议" not in body and "结束驻村" not in body
    before = denials()
    url = reverse("village_work:report_create", args=[world.assignment.pk])
    assert client.get(url).status_code == 404 and denials() == before + 1
    officer = client_as(world.officer)
    assert (
        "进度滞后"
        in officer.get(
            reverse("village_work:assignment_detail", args=[world.assignment.pk])
        ).content.decode()
    )


@pytest.mark.parametrize("who", ["county_user", "branch_a1_user"])
def test_others_get_no_roster(world, client_as, request, who):
    client = client_as(request.getfixturevalue(who))
    for name in ("roster", "overdue", "ending"):
        assert client.get(reverse(f"village_work:{name}")).status_code == 404


def test_the_cadre_section_assigns_reviews_and_ends_on_the_pages(county, world, client_as):
    from zuzhi.testing.factories import make_cadre

    from .conftest import id_number

    cadre = make_cadre(county.unit, name="孙", id_number=id_number(60))
    client = client_as(world.officer)
    response = client.post(
        reverse("village_work:assignment_create"),
        {
            "cadre": cadre.pk,
            "village": county.village_a2.pk,
            "role": "instructor",
            "sending_unit": "县农业农村局",
            "start": "2025-01-01",
            "end": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assignment = Assignment.objects.get(cadre=cadre)
    report = services.report_submit(
        actor=SYSTEM, assignment=assignment, month=datetime.date(2025, 5, 1), **REPORT
    )
    client.post(
        reverse("village_work:review_create", args=[assignment.pk, report.pk]),
        {"date": "2025-06-03", "grade": "good", "comments": "好"},
    )
    assert Review.objects.get().grade.name == "好"
    client.post(
        reverse("village_work:assignment_end", args=[assignment.pk]),
        {"ended_on": timezone.localdate().isoformat(), "end_reason": "期满轮换"},
    )
    assignment.refresh_from_db()
    assert assignment.status == "ended"


def test_overdue_and_ending_pages(world, client_as):
    client = client_as(world.officer)
    body = client.get(reverse("village_work:overdue")).content.decode()
    assert "赵驻村" in body and "钱驻村" in body
    assert client.get(reverse("village_work:ending")).status_code == 200


def test_a_large_section_chooses_the_village_with_the_picker(county, world, client_as, monkeypatch):
    from zuzhi.testing.factories import make_cadre

    from .conftest import id_number

    monkeypatch.setattr("zuzhi.orgs.picker.SELECT_LIMIT", 1)
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(61))
    client = client_as(world.officer)
    form = client.get(reverse("village_work:assignment_create")).content.decode()
    assert 'name="village_q"' in form and "王庄村党支部" not in form
    data = {
        "cadre": cadre.pk,
        "role": "instructor",
        "sending_unit": "县农业农村局",
        "start": "2025-01-01",
        "end": "2026-12-31",
    }
    # Not a village (the township): refused as the select refused it.
    response = client.post(
        reverse("village_work:assignment_create"), data | {"village": county.town_a.pk}
    )
    assert response.status_code == 200 and "请从列表中选择党组织" in response.content.decode()
    response = client.post(
        reverse("village_work:assignment_create"), data | {"village": county.village_a2.pk}
    )
    assert response.status_code == 302
    assert Assignment.objects.get(cadre=cadre).village == county.village_a2
