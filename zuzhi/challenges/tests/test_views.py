"""The challenge pages: the public list shows published challenges (title, owner, reward,
deadline) and never a draft or an applicant; the office's pages are the office's only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.challenges import services
from zuzhi.challenges.models import Challenge
from zuzhi.core.models import AuditAction, AuditLog

from .conftest import make_challenge


def test_drafts_are_never_public(client, talent_world, today):
    draft = make_challenge(talent_world.office, title="草稿榜单")
    published = make_challenge(talent_world.office, title="已发布榜单", reward_fen=12_345_67)
    services.challenge_publish(actor=talent_world.office, challenge=published)
    page = client.get("/rencai/jiebang/").content.decode()
    assert "已发布榜单" in page and "草稿榜单" not in page
    assert "12345.67 元" in page and "2026-12-31" in page and "示范县化工有限公司" in page
    assert client.get(f"/rencai/jiebang/{draft.pk}/").status_code == 404
    assert client.get(f"/rencai/jiebang/{published.pk}/").status_code == 200


def test_public_pages_show_nothing_of_the_applicants(client, reviewing):
    challenge, first, _ = reviewing
    page = client.get(f"/rencai/jiebang/{challenge.pk}/").content.decode()
    assert challenge.title in page
    for private in (first.applicant, first.contact_phone, first.contact_name, "李明"):
        assert private not in page


def test_office_detail_page_and_actions(client, talent_world, reviewing):
    challenge, first, second = reviewing
    client.force_login(talent_world.office)
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert first.applicant in page and second.applicant in page and "138****5678" in page
    answer = client.post(f"/challenges/{challenge.pk}/reviewers/", {"name": "张院士"})
    assert answer.status_code == 302
    reviewer = challenge.reviewers.get()
    answer = client.post(
        f"/challenges/applications/{first.pk}/score/", {"reviewer": reviewer.pk, "score": "91"}
    )
    assert answer.status_code == 302 and first.scores.get().score == 91
    answer = client.post(
        f"/challenges/{challenge.pk}/award/", {"application": first.pk, "reason": "方案最优"}
    )
    challenge.refresh_from_db()
    assert challenge.state == "awarded" and challenge.winner == first
    # A refused action says why on the page.
    answer = client.post(f"/challenges/{challenge.pk}/start/", follow=True)
    assert "请先列出攻关节点" in answer.content.decode()
    assert client.get("/challenges/export/").status_code == 200


def test_create_form_takes_yuan_and_shows_errors_in_chinese(client, talent_world):
    client.force_login(talent_world.office)
    answer = client.post("/challenges/new/", {"title": "x", "reward_fen": "abc"})
    assert answer.status_code == 200 and "这个字段是必填项" in answer.content.decode()
    answer = client.post(
        "/challenges/new/",
        {
            "title": "新榜",
            "owner_company": "甲公司",
            "problem": "难题",
            "reward_fen": "1234.56",
            "deadline": "2027-03-01",
        },
    )
    assert answer.status_code == 302
    assert Challenge.objects.get(title="新榜").reward_fen == 123456


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_office_pages_are_the_office_only(client, talent_world, reviewing, who):
    challenge, first, _ = reviewing
    client.force_login(getattr(talent_world, who))
    assert client.get(f"/challenges/{challenge.pk}/").status_code == 404
    assert client.post(f"/challenges/{challenge.pk}/close/", {"reason": "越权"}).status_code == 404
    if who != "other_office":
        assert client.get("/challenges/").status_code == 404
        assert client.get("/challenges/new/").status_code == 404
    challenge.refresh_from_db()
    assert challenge.state == "reviewing"


def test_in_progress_page_tracks_milestones_and_payments(client, talent_world, in_progress):
    challenge, one, _ = in_progress
    client.force_login(talent_world.office)
    answer = client.post(
        f"/challenges/{challenge.pk}/payments/",
        {"milestone": one.pk, "amount_fen": "150000.00", "paid_on": "2027-01-01"},
    )
    assert answer.status_code == 302
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "中试" in page and "150000.00" in page and "尚可拨付 350000.00 元" in page
    over = client.post(
        f"/challenges/{challenge.pk}/payments/",
        {"milestone": one.pk, "amount_fen": "350000.01", "paid_on": "2027-01-01"},
        follow=True,
    )
    assert "超过奖励金额 500000.00 元" in over.content.decode()


def test_application_form_takes_team_and_files(client, talent_world, today):
    challenge = make_challenge(talent_world.office)
    challenge = services.challenge_publish(actor=talent_world.office, challenge=challenge)
    client.force_login(talent_world.office)
    answer = client.post(
        f"/challenges/{challenge.pk}/applications/new/",
        {
            "applicant": "甲团队",
            "is_team": "on",
            "contact_name": "甲",
            "proposal": "方案",
            "submitted_on": "2026-11-23",
            "members": "张三、甲大学、负责人\n李四，乙研究所",
            "files": [SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n")],
        },
    )
    assert answer.status_code == 302, answer.context["form"].errors
    application = challenge.applications.get()
    assert list(application.members.values_list("name", "employer", "duty")) == [
        ("张三", "甲大学", "负责人"),
        ("李四", "乙研究所", ""),
    ]
    stored = application.files.get()
    download = client.get(f"/challenges/applications/{application.pk}/files/{stored.pk}/")
    assert download.status_code == 200
    refused = client.post(
        f"/challenges/{challenge.pk}/applications/new/",
        {
            "applicant": "乙",
            "contact_name": "乙",
            "proposal": "方案",
            "submitted_on": "2026-11-23",
            "files": [SimpleUploadedFile("方案.exe", b"MZ")],
        },
    )
    assert refused.status_code == 200 and "格式不支持" in refused.content.decode()


def test_detail_page_masks_every_phone_and_reveals_one_on_request(client, talent_world, reviewing):
    challenge, first, second = reviewing
    client.force_login(talent_world.office)
    views = AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL)
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "13812345678" not in page and page.count("138****5678") == 2
    assert f"/challenges/applications/{first.pk}/phone/" in page
    assert not views.exists()
    assert client.get(f"/challenges/applications/{first.pk}/phone/").status_code == 405
    answer = client.post(f"/challenges/applications/{first.pk}/phone/")
    assert answer.status_code == 200 and 'href="tel:13812345678"' in answer.content.decode()
    [row] = views
    assert row.actor == talent_world.office and row.target_id == str(first.pk)
    assert f"/challenges/applications/{first.pk}/phone/" in row.message


@pytest.mark.parametrize("who", ["other_office", "county_staff", "talent_user"])
def test_another_user_cannot_reveal_an_applicants_phone(client, talent_world, reviewing, who):
    _, first, _ = reviewing
    client.force_login(getattr(talent_world, who))
    answer = client.post(f"/challenges/applications/{first.pk}/phone/")
    assert answer.status_code == 404 and b"13812345678" not in answer.content
