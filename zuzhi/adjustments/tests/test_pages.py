"""What each role sees of the cases, the decision through the page and the API, and the
county counts. Cases are the cadre section's only: a cadre never sees the cases about them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.adjustments.models import AdjustmentCase, CaseStatus, Trigger
from zuzhi.adjustments.services import case_decide
from zuzhi.archive.services import supervision_record
from zuzhi.core.models import AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

TODAY = timezone.localdate()


@pytest.fixture
def case(world):
    supervision_record(
        actor=world.staff,
        cadre=world.chief_b,
        kind="investigation",
        date=TODAY - datetime.timedelta(days=2),
        source="县纪委监委",
        text="立案审查",
    )
    return AdjustmentCase.objects.get(cadre=world.chief_b)


def test_the_cadre_section_sees_the_case_with_its_evidence(client_as, world, case):
    page = client_as(world.staff).get(reverse("adjustments:case", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "纪法出事即调：乙书记" in text and "立案审查" in text and "记录决定并办结" in text

    listing = client_as(world.staff).get(reverse("adjustments:list")).content.decode()
    assert "乙书记" in listing and "纪法出事即调" in listing


@pytest.mark.parametrize("who", ["cadre_self", "county_staff", "town_staff", "other_section"])
def test_everyone_else_gets_a_404(client_as, world, case, county, who):
    user = {
        "cadre_self": lambda: world.chief_b_user,
        "county_staff": lambda: user_with_role(Role.COUNTY_STAFF, county.county),
        "town_staff": lambda: user_with_role(Role.TOWNSHIP_STAFF, county.town_b),
        "other_section": lambda: user_with_role(Role.CADRE_STAFF, county.town_a),
    }[who]()
    client = client_as(user)
    assert client.get(reverse("adjustments:case", args=[case.pk])).status_code == 404
    assert (
        client.post(
            reverse("adjustments:decide", args=[case.pk]),
            {"decision": "keep", "decision_reason": "x", "decided_on": TODAY.isoformat()},
        ).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    if who != "other_section":
        assert client.get(reverse("adjustments:list")).status_code == 404
    else:  # a township's cadre section sees its own township's cases, not this one
        assert "乙书记" not in client.get(reverse("adjustments:list")).content.decode()


def test_keeping_without_a_reason_is_refused_on_the_page(client_as, world, case):
    page = client_as(world.staff).post(
        reverse("adjustments:decide", args=[case.pk]),
        {"decision": "keep", "decision_reason": "", "decided_on": TODAY.isoformat()},
    )
    assert "保留现职须写明理由" in page.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_decision_closes_the_case_and_is_audited(client_as, world, case):
    response = client_as(world.staff).post(
        reverse("adjustments:decide", args=[case.pk]),
        {"decision": "remove", "decision_reason": "依规免职", "decided_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.decision, case.decided_by) == ("decided", "remove", world.staff)
    log = AuditLog.objects.get(target_type="adjustments.adjustmentcase", action="update")
    assert log.before["status"] == "open" and log.after["decision"] == "remove"
    with pytest.raises(Exception, match="已处理"):
        case_decide(actor=world.staff, case=case, decision="keep", reason="再次")


def test_audit_rows_of_cases_are_for_the_audit_administrator_only(world, case, county):
    from zuzhi.core.selectors import audit_list

    county_user = user_with_role(Role.COUNTY_STAFF, county.county)
    auditor = user_with_role(Role.AUDIT_ADMIN, county.county)
    assert not audit_list(user=county_user).filter(target_type__startswith="adjustments.").exists()
    opened = audit_list(user=auditor).get(target_type="adjustments.adjustmentcase", action="create")
    assert opened.actor == world.staff  # the record's writer set the rule off
    assert opened.after["causes"][0]["text"].endswith("立案审查（县纪委监委）")


def test_the_county_view_counts_cases_by_trigger_and_state(client_as, world, case):
    case_decide(actor=world.staff, case=case, decision="admonish", reason="")
    supervision_record(
        actor=world.staff, cadre=world.chief_a, kind="admonishment", date=TODAY, source="县纪委",
        text="诫勉",
    )  # fmt: skip
    from zuzhi.adjustments.selectors import case_counts

    row = next(r for r in case_counts(user=world.staff) if r.trigger == Trigger.DISCIPLINE)
    assert (row.open, row.decided, row.total) == (1, 1, 2)
    export = client_as(world.staff).get(reverse("adjustments:export") + "?trigger=discipline")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_lists_decides_and_counts(api_as, world, case):
    api = api_as(world.staff)
    listing = api.get("/api/adjustment-cases?status=open").json()
    assert [c["id"] for c in listing["items"]] == [case.pk]
    assert listing["items"][0]["trigger_label"] == "纪法出事即调"
    detail = api.get(f"/api/adjustment-cases/{case.pk}").json()
    assert detail["causes"][0]["text"].endswith("立案审查（县纪委监委）")
    refused = api.post(
        f"/api/adjustment-cases/{case.pk}/decision",
        {"decision": "keep", "decision_reason": ""},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["decision_reason"] == ["保留现职须写明理由。"]
    done = api.post(
        f"/api/adjustment-cases/{case.pk}/decision",
        {"decision": "adjust_post", "decision_reason": "调整到其他岗位"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "decided"
    summary = {r["trigger"]: r for r in api.get("/api/adjustment-cases/summary").json()}
    assert summary["discipline"]["decided"] == 1


def test_the_api_shows_the_cadre_nothing_about_themselves(api_as, world, case):
    api = api_as(world.chief_b_user)
    assert api.get("/api/adjustment-cases").json()["items"] == []
    assert api.get(f"/api/adjustment-cases/{case.pk}").status_code == 404


def test_open_cases_wait_on_the_cadre_sections_home_page(client_as, world, case):
    home = client_as(world.staff).get(reverse("home")).content.decode()
    assert "待研判的五个即调案件" in home
    case_decide(actor=world.staff, case=case, decision="admonish", reason="")
    assert (
        "待研判的五个即调案件" not in client_as(world.staff).get(reverse("home")).content.decode()
    )
    assert "五个即调" not in client_as(world.chief_b_user).get(reverse("home")).content.decode()
