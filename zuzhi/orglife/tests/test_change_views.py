"""The pages for correcting, deleting, printing, filtering and exporting meeting records."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orglife.models import Meeting
from zuzhi.orglife.services import meeting_record
from zuzhi.orgs.committee import committee_appoint
from zuzhi.testing.factories import make_member, valid_id_number

TODAY = timezone.localdate()


@pytest.fixture
def members(county):
    return [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(4)
    ]


def record(org, members, day=TODAY, kind="theme_day", topic="学习党章", actor=None):
    from zuzhi.core.scope import SYSTEM

    return meeting_record(
        actor=actor or SYSTEM,
        organization=org,
        kind=kind,
        date=day,
        topic=topic,
        attendee_ids=[m.pk for m in members],
        host_id=members[0].pk if members else None,
    )


def test_branch_secretary_edits_from_the_page(county, client_as, branch_a1_user, members):
    meeting = record(county.village_a1, members)
    client = client_as(branch_a1_user)
    url = reverse("orglife:edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "修改会议记录" in page and "学习党章" in page and "修改原因" not in page
    response = client.post(
        url,
        {
            "org": county.village_a1.pk,
            "kind": "theme_day",
            "date": TODAY.isoformat(),
            "topic": "重温入党誓词",
            "host": members[1].pk,
            "recorder": members[2].pk,
            "present": [m.pk for m in members[:3]],
            f"reason_{members[3].pk}": "外出务工",
        },
    )
    assert response["Location"] == reverse("orglife:detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.host, meeting.recorder) == (
        "重温入党誓词",
        members[1],
        members[2],
    )
    detail = client.get(response["Location"]).content.decode()
    assert "外出务工" in detail and "党员1" in detail


def test_past_the_window_the_branch_sees_why_and_the_township_gives_a_reason(
    county, client_as, branch_a1_user, town_a_user, members, settings
):
    settings.ZUZHI_MEETING_EDIT_DAYS = 30
    meeting = record(county.village_a1, members, day=TODAY - datetime.timedelta(days=31))
    url = reverse("orglife:edit", args=[meeting.pk])
    branch = client_as(branch_a1_user).get(url).content.decode()
    assert "只能由乡镇（县）组织部门工作人员修改" in branch and 'name="topic"' not in branch
    assert (
        "修改</a>"
        not in client_as(branch_a1_user)
        .get(reverse("orglife:detail", args=[meeting.pk]))
        .content.decode()
    )
    client = client_as(town_a_user)
    assert "修改原因" in client.get(url).content.decode()
    form = {
        "org": county.village_a1.pk,
        "kind": "theme_day",
        "date": meeting.date.isoformat(),
        "topic": "补录",
        "present": [m.pk for m in members],
    }
    assert "修改须说明原因" in client.post(url, form).content.decode()
    client.post(url, form | {"reason": "支部报告漏记"})
    assert Meeting.objects.get().topic == "补录"


def test_delete_page_asks_for_a_reason(county, client_as, branch_a1_user, members):
    meeting = record(county.village_a1, members)
    client = client_as(branch_a1_user)
    url = reverse("orglife:delete", args=[meeting.pk])
    assert "删除原因" in client.get(url).content.decode()
    assert "须说明原因" in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "重复录入"})
    assert response.status_code == 302 and not Meeting.objects.exists()


def test_the_record_prints_as_a_pdf_and_the_print_is_audited(
    county, client_as, branch_a1_user, members
):
    meeting = record(county.village_a1, members)
    response = client_as(branch_a1_user).get(reverse("orglife:pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    row = AuditLog.objects.get(action=AuditAction.EXPORT, target_type="orglife.meeting")
    assert row.actor == branch_a1_user and "打印会议记录" in row.message


@pytest.mark.parametrize("name", ["orglife:edit", "orglife:delete", "orglife:pdf"])
def test_a_clerk_of_another_township_gets_404(county, client_as, town_b_user, members, name):
    meeting = record(county.village_a1, members)
    client = client_as(town_b_user)
    url = reverse(name, args=[meeting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "越权", "topic": "越权"}).status_code == 404
    assert Meeting.objects.get().topic == "学习党章"


def test_list_filters_by_organization_subtree_and_dates(county, client_as, town_a_user, members):
    other = [make_member(county.village_a2, name="乙", id_number=valid_id_number("19800101", 50))]
    record(county.village_a1, members, day=datetime.date(2026, 3, 5), topic="三月李庄")
    record(county.village_a1, members, day=datetime.date(2026, 5, 5), topic="五月李庄")
    record(county.village_a2, other, day=datetime.date(2026, 5, 6), topic="五月王庄")
    client = client_as(town_a_user)

    def topics(**params):
        body = client.get(reverse("orglife:list"), params).content.decode()
        return {t for t in ("三月李庄", "五月李庄", "五月王庄") if t in body}

    assert topics() == {"三月李庄", "五月李庄", "五月王庄"}
    assert topics(org=county.village_a1.pk) == {"三月李庄", "五月李庄"}
    assert topics(org=county.town_a.pk, **{"from": "2026-05-01"}) == {"五月李庄", "五月王庄"}
    assert topics(to="2026-05-05") == {"三月李庄", "五月李庄"}
    assert topics(**{"from": "2026-05-06", "to": "2026-05-06"}) == {"五月王庄"}
    assert topics(**{"from": "not-a-date"}) == {"三月李庄", "五月李庄", "五月王庄"}
    assert client.get(reverse("orglife:list"), {"org": county.village_b1.pk}).status_code == 404


def test_list_is_paginated_keeping_the_filters(county, client_as, town_a_user, members):
    for i in range(31):
        record(county.village_a1, members, day=datetime.date(2026, 1, 1) + datetime.timedelta(i))
    body = client_as(town_a_user).get(reverse("orglife:list"), {"kind": "theme_day"}).content
    assert "第 1 / 2 页" in body.decode() and "kind=theme_day&amp;page=2" in body.decode()


def test_export_is_the_filtered_list_and_audited(county, client_as, town_a_user, members):
    record(county.village_a1, members, day=datetime.date(2026, 3, 5), topic="三月李庄")
    record(county.village_a1, members, day=datetime.date(2026, 5, 5), topic="五月李庄")
    response = client_as(town_a_user).get(
        reverse("orglife:list"), {"from": "2026-04-01", "export": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "类型", "主题")
    assert [r[2] for r in rows[1:]] == ["五月李庄"]
    assert rows[1][5] == "党员0" and rows[1][7] == 4
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, actor=town_a_user).count() == 1


def test_the_committee_meeting_form_lists_the_committee(county, client_as, branch_a1_user, members):
    for member, position in [(members[0], "secretary"), (members[1], "propaganda")]:
        committee_appoint(
            actor=branch_a1_user,
            organization=county.village_a1,
            member=member,
            position=position,
            started_on=datetime.date(2024, 1, 1),
        )
    client = client_as(branch_a1_user)
    url = reverse("orglife:create")
    committee = client.get(url, {"org": county.village_a1.pk, "kind": "committee"}).content
    boxes = committee.decode().count('name="present"')
    assert boxes == 2 and "参会支部委员" in committee.decode()
    # The secretary is proposed as host.
    assert f'<option value="{members[0].pk}" selected>' in committee.decode()
    theme = client.get(url, {"org": county.village_a1.pk, "kind": "theme_day"}).content.decode()
    assert theme.count('name="present"') == 4
    client.post(
        url,
        {
            "org": county.village_a1.pk,
            "kind": "committee",
            "date": TODAY.isoformat(),
            "topic": "研究发展党员",
            "present": [members[0].pk],
            f"reason_{members[1].pk}": "生病",
        },
    )
    meeting = Meeting.objects.get()
    assert list(meeting.attendees.all()) == [members[0]]
    assert [a.member for a in meeting.absences.all()] == [members[1]]
