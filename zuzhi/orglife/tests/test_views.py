import datetime

from django.urls import reverse

from zuzhi.orglife.models import Meeting
from zuzhi.orglife.services import meeting_record
from zuzhi.testing.factories import make_member, valid_id_number


def branch_members(org, n=4):
    return [
        make_member(org, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(n)
    ]


def test_branch_secretary_records_a_meeting_in_one_post(county, client_as, branch_a1_user):
    members = branch_members(county.village_a1)
    client = client_as(branch_a1_user)
    form = client.get(reverse("orglife:create")).content.decode()
    assert "李庄村党支部" in form and all(m.name in form for m in members)
    response = client.post(
        reverse("orglife:create"),
        {
            "org": county.village_a1.pk,
            "kind": "committee",
            "date": datetime.date.today().isoformat(),
            "topic": "研究发展党员工作",
            "present": [m.pk for m in members[:3]],
            f"reason_{members[3].pk}": "外出务工",
        },
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("orglife:detail", args=[meeting.pk])
    assert meeting.absences.get().member == members[3]


def test_missing_reason_is_shown_and_nothing_saved(county, client_as, branch_a1_user):
    members = branch_members(county.village_a1)
    body = (
        client_as(branch_a1_user)
        .post(
            reverse("orglife:create"),
            {
                "org": county.village_a1.pk,
                "kind": "committee",
                "date": "2026-11-01",
                "topic": "例会",
                "present": [members[0].pk],
            },
        )
        .content.decode()
    )
    assert "请填写每名缺席党员的原因" in body and not Meeting.objects.exists()


def test_other_township_cannot_record_or_read(county, client_as, town_b_user, town_a_user):
    members = branch_members(county.village_a1)
    client = client_as(town_b_user)
    assert client.get(reverse("orglife:create"), {"org": county.village_a1.pk}).status_code == 404
    meeting = meeting_record(
        actor=town_a_user,
        organization=county.village_a1,
        kind="committee",
        date=datetime.date(2026, 11, 1),
        topic="例会",
        attendee_ids=[m.pk for m in members],
    )
    assert client.get(reverse("orglife:detail", args=[meeting.pk])).status_code == 404
    assert "例会" not in client.get(reverse("orglife:list")).content.decode()
    body = client.get(reverse("orglife:compliance")).content.decode()
    assert "李庄村" not in body and "张湾村党支部" in body


def test_compliance_page_flags_the_missed_month(county, client_as, town_a_user):
    members = branch_members(county.village_a1)
    meeting_record(
        actor=town_a_user,
        organization=county.village_a1,
        kind="committee",
        date=datetime.date(2026, 11, 2),
        topic="例会",
        attendee_ids=[m.pk for m in members],
    )
    body = (
        client_as(town_a_user)
        .get(reverse("orglife:compliance"), {"day": "2026-11-15", "missing": "1"})
        .content.decode()
    )
    assert "未开展" in body and "李庄村党支部" in body and "王庄村党支部" in body


def test_attachments_upload_and_scoped_download(
    county, client_as, branch_a1_user, town_b_user, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    members = branch_members(county.village_a1, n=2)
    client = client_as(branch_a1_user)
    base = {
        "org": county.village_a1.pk,
        "kind": "committee",
        "date": "2026-11-01",
        "topic": "例会",
        "present": [m.pk for m in members],
    }
    bad = client.post(
        reverse("orglife:create"), {**base, "attachments": SimpleUploadedFile("x.exe", b"MZ")}
    ).content.decode()
    assert "格式不支持" in bad and not Meeting.objects.exists()
    client.post(
        reverse("orglife:create"),
        {**base, "attachments": SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 test")},
    )
    attachment = Meeting.objects.get().attachments.get()
    url = reverse("orglife:attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client_as(town_b_user).get(url).status_code == 404
