"""/api/challenges: the office's, the transitions as actions, applications with files and
scores, milestones and payments; everyone else gets the logged 404."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.challenges import services
from zuzhi.challenges.models import Challenge
from zuzhi.core.models import AuditAction, AuditLog

from .conftest import DEADLINE, make_challenge

JSON = "application/json"


def test_the_whole_course_through_the_api(api_as, talent_world, today):
    api = api_as(talent_world.office)
    created = api.post(
        "/api/challenges",
        {
            "title": "医药中间体连续流合成",
            "problem": "间歇釜收率低。",
            "owner_company": "示范县制药有限公司",
            "industry": "医药中间体",
            "reward_fen": 30_000_000,
            "deadline": DEADLINE.isoformat(),
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    cid = created.json()["id"]
    assert created.json()["state"] == "draft"
    assert api.post(f"/api/challenges/{cid}/publish").json()["state"] == "published"
    application = api.post(
        f"/api/challenges/{cid}/applications",
        {
            "applicant": "华东理工团队",
            "is_team": True,
            "contact_name": "陈工",
            "contact_phone": "13912345678",
            "proposal": "微通道反应器。",
            "submitted_on": "2026-11-23",
            "members": [{"name": "陈一", "employer": "华东理工大学"}],
        },
        content_type=JSON,
    )
    assert application.status_code == 201, application.json()
    aid = application.json()["id"]
    assert application.json()["members"][0]["employer"] == "华东理工大学"
    files = api.post(
        f"/api/challenges/applications/{aid}/files",
        {"files": [SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n")]},
    )
    assert files.status_code == 201 and files.json()[0]["name"] == "方案.pdf"
    bad = api.post(
        f"/api/challenges/applications/{aid}/files",
        {"files": [SimpleUploadedFile("方案.exe", b"MZ")]},
    )
    assert bad.status_code == 400 and "格式不支持" in bad.json()["errors"]["files"][0]
    early = api.post(f"/api/challenges/{cid}/review")
    assert early.status_code == 400 and "截止前仍可申请揭榜" in early.json()["message"]
    today.set(DEADLINE + datetime.timedelta(days=1))
    assert api.post(f"/api/challenges/{cid}/review").json()["state"] == "reviewing"
    reviewer = api.post(f"/api/challenges/{cid}/reviewers", {"name": "张院士"}, content_type=JSON)
    score = api.put(
        f"/api/challenges/applications/{aid}/scores",
        {"challenge_reviewer_id": reviewer.json()["id"], "score": "88.5"},
        content_type=JSON,
    )
    assert score.status_code == 200 and score.json()["score"] == "88.50"
    listed = api.get(f"/api/challenges/{cid}/applications").json()["items"]
    assert Decimal(listed[0]["average_score"]) == Decimal("88.5")
    assert listed[0]["contact_phone"] == "13912345678"
    awarded = api.post(
        f"/api/challenges/{cid}/award",
        {"challenge_application_id": aid, "reason": "唯一且合格"},
        content_type=JSON,
    )
    assert awarded.json()["state"] == "awarded" and awarded.json()["winner_id"] == aid
    milestone = api.post(
        f"/api/challenges/{cid}/milestones",
        {"title": "中试", "due_on": "2027-06-30"},
        content_type=JSON,
    )
    mid = milestone.json()["id"]
    assert api.post(f"/api/challenges/{cid}/start").json()["state"] == "in_progress"
    paid = api.post(
        f"/api/challenges/{cid}/payments",
        {"milestone_id": mid, "amount_fen": 10_000_000, "paid_on": "2027-01-01"},
        content_type=JSON,
    )
    assert paid.status_code == 201
    over = api.post(
        f"/api/challenges/{cid}/payments",
        {"milestone_id": mid, "amount_fen": 20_000_001, "paid_on": "2027-01-01"},
        content_type=JSON,
    )
    assert over.status_code == 400
    assert over.json()["errors"]["amount_fen"][0].startswith(
        "拨付后累计 300000.01 元，超过奖励金额"
    )
    today.set(datetime.date(2027, 7, 1))
    done = api.post(
        f"/api/challenges/milestones/{mid}/done",
        {"done_on": "2027-06-28", "evidence": "中试报告"},
        content_type=JSON,
    )
    assert done.status_code == 200
    detail = api.post(f"/api/challenges/{cid}/complete").json()
    assert (detail["state"], detail["paid_fen"], detail["reward_fen"]) == (
        "completed",
        10_000_000,
        30_000_000,
    )


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_others_get_the_logged_404(api_as, talent_world, reviewing, who):
    challenge, first, _ = reviewing
    api = api_as(getattr(talent_world, who))
    denied = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED)
    before = denied.count()
    assert api.get(f"/api/challenges/{challenge.pk}").status_code == 404
    assert api.get(f"/api/challenges/{challenge.pk}/applications").status_code == 404
    answer = api.post(
        f"/api/challenges/{challenge.pk}/award",
        {"challenge_application_id": first.pk, "reason": "越权"},
        content_type=JSON,
    )
    assert answer.status_code == 404
    assert denied.count() >= before + 3
    listed = api.get("/api/challenges")
    if who == "other_office":
        assert listed.json()["items"] == []
    else:
        assert listed.status_code == 404
    challenge.refresh_from_db()
    assert challenge.state == "reviewing"


def test_other_office_cannot_award_with_its_application(api_as, talent_world, reviewing, today):
    """Naming an application of another county in the body is the logged 404 as well."""
    challenge, _, _ = reviewing
    other = make_challenge(
        talent_world.other_office, deadline=DEADLINE + datetime.timedelta(days=60)
    )
    services.challenge_publish(actor=talent_world.other_office, challenge=other)
    api = api_as(talent_world.office)
    theirs = services.application_create(
        actor=talent_world.other_office,
        challenge=Challenge.objects.get(pk=other.pk),
        data={
            "applicant": "乙",
            "contact_name": "乙",
            "proposal": "乙",
            "submitted_on": today.value,
        },
    )
    answer = api.post(
        f"/api/challenges/{challenge.pk}/award",
        {"challenge_application_id": theirs.pk, "reason": "x"},
        content_type=JSON,
    )
    assert answer.status_code == 404
