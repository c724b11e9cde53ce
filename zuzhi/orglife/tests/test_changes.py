"""Correcting and deleting saved meeting records (修改、删除会议记录), host and recorder, and
the committee meeting that lists the committee."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orglife.models import Meeting
from zuzhi.orglife.selectors import compliance, meeting_invitees
from zuzhi.orglife.services import (
    ChangeRule,
    meeting_change_rule,
    meeting_delete,
    meeting_record,
    meeting_update,
)
from zuzhi.orgs.committee import committee_appoint
from zuzhi.orgs.selectors import HealthFlag, org_health
from zuzhi.testing.factories import make_member, valid_id_number

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    # Today at the call, not at import: a run that crosses midnight in Beijing moves it.
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def members(county):
    return [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(5)
    ]


def record(actor, org, members, day, kind="theme_day", **kwargs):
    return meeting_record(
        actor=actor,
        organization=org,
        kind=kind,
        date=day,
        topic="学习党章",
        attendee_ids=[m.pk for m in members],
        **kwargs,
    )


def update(actor, meeting, members, **kwargs):
    data = {
        "kind": meeting.kind,
        "date": meeting.date,
        "topic": "学习党章（修改）",
        "attendee_ids": [m.pk for m in members],
    } | kwargs
    return meeting_update(actor=actor, meeting=meeting, **data)


def test_branch_secretary_corrects_within_the_window_and_the_audit_has_before_and_after(
    county, branch_a1_user, members, settings
):
    settings.ZUZHI_MEETING_EDIT_DAYS = 30
    meeting = record(branch_a1_user, county.village_a1, members[:4], days_ago(30))
    update(
        branch_a1_user,
        meeting,
        members[:3],
        absences={members[3].pk: "生病"},
        host_id=members[0].pk,
        recorder_id=members[1].pk,
    )
    meeting.refresh_from_db()
    assert meeting.topic == "学习党章（修改）" and meeting.host == members[0]
    assert meeting.absences.get().member == members[3]
    row = AuditLog.objects.filter(action=AuditAction.UPDATE, target_id=str(meeting.pk)).get()
    assert row.before["topic"] == "学习党章" and row.after["topic"] == "学习党章（修改）"
    assert row.before["attendees"] == sorted(m.pk for m in members[:4])
    assert row.after["absences"] == {str(members[3].pk): "生病"}
    assert row.after["host_id"] == members[0].pk and "location" not in row.after


def test_after_the_window_the_branch_is_refused(county, branch_a1_user, members, settings):
    settings.ZUZHI_MEETING_EDIT_DAYS = 30
    meeting = record(branch_a1_user, county.village_a1, members, days_ago(31))
    assert meeting_change_rule(actor=branch_a1_user, meeting=meeting) == ChangeRule.CLOSED
    with pytest.raises(ValidationError) as exc:
        update(branch_a1_user, meeting, members, reason="补充记录")
    assert "乡镇（县）组织部门工作人员修改" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        meeting_delete(actor=branch_a1_user, meeting=meeting, reason="录错了")
    meeting.refresh_from_db()
    assert meeting.topic == "学习党章"


def test_the_window_is_a_setting(county, branch_a1_user, members, settings):
    settings.ZUZHI_MEETING_EDIT_DAYS = 60
    meeting = record(branch_a1_user, county.village_a1, members, days_ago(45))
    assert update(branch_a1_user, meeting, members).topic == "学习党章（修改）"


def test_after_the_window_the_township_edits_with_a_reason(
    county, town_a_user, county_user, members, settings
):
    settings.ZUZHI_MEETING_EDIT_DAYS = 30
    meeting = record(town_a_user, county.village_a1, members, days_ago(31))
    assert meeting_change_rule(actor=town_a_user, meeting=meeting) == ChangeRule.WITH_REASON
    with pytest.raises(ValidationError) as exc:
        update(town_a_user, meeting, members, reason="  ")
    assert "须说明原因" in exc.value.message_dict["reason"][0]
    update(town_a_user, meeting, members, reason="补录会议内容")
    row = AuditLog.objects.filter(action=AuditAction.UPDATE, target_id=str(meeting.pk)).get()
    assert row.message == "补录会议内容" and row.actor == town_a_user
    assert update(county_user, meeting, members, topic="县级修改", reason="核查更正").topic == (
        "县级修改"
    )


def test_delete_needs_a_reason_and_the_meeting_leaves_compliance_and_health(
    county, branch_a1_user, members, settings
):
    settings.ZUZHI_MEETING_FREQUENCY = {"theme_day": "month"}
    meeting = record(branch_a1_user, county.village_a1, members, TODAY)
    held = {c.organization.code: c.held for c in compliance(user=branch_a1_user, day=TODAY)}
    assert held["VA1"] == {"theme_day": 1}
    with pytest.raises(ValidationError) as exc:
        meeting_delete(actor=branch_a1_user, meeting=meeting, reason="")
    assert exc.value.message_dict["reason"] == ["删除会议记录须说明原因。"]
    meeting_delete(actor=branch_a1_user, meeting=meeting, reason="重复录入")
    assert not Meeting.objects.exists()
    after = {c.organization.code: c for c in compliance(user=branch_a1_user, day=TODAY)}
    assert after["VA1"].held == {"theme_day": 0} and after["VA1"].missing == ["theme_day"]
    flags = dict(org_health(user=branch_a1_user, organization=county.village_a1))
    assert HealthFlag.NO_RECENT_MEETING in flags[county.village_a1]
    row = AuditLog.objects.get(action=AuditAction.DELETE, target_type="orglife.meeting")
    assert row.message == "重复录入" and row.before["attendees"] == sorted(m.pk for m in members)


def test_another_township_cannot_edit_or_delete(county, town_a_user, town_b_user, members):
    meeting = record(town_a_user, county.village_a1, members, TODAY)
    with pytest.raises(Http404):
        update(town_b_user, meeting, members, reason="越权")
    with pytest.raises(Http404):
        meeting_delete(actor=town_b_user, meeting=meeting, reason="越权")
    assert Meeting.objects.get().topic == "学习党章"


def test_host_and_recorder_are_members_of_the_branch(county, town_a_user, members):
    stranger = make_member(
        county.village_a2, name="外支部", id_number=valid_id_number("19800101", 99)
    )
    with pytest.raises(ValidationError) as exc:
        record(
            town_a_user,
            county.village_a1,
            members,
            TODAY,
            host_id=stranger.pk,
            recorder_id=stranger.pk,
        )
    assert exc.value.message_dict["host"] == ["主持人应为本支部党员。"]
    assert exc.value.message_dict["recorder"] == ["记录人应为本支部党员。"]
    meeting = record(
        town_a_user,
        county.village_a1,
        members,
        TODAY,
        host_id=members[0].pk,
        recorder_id=members[1].pk,
    )
    assert (meeting.host, meeting.recorder) == (members[0], members[1])


def test_a_committee_meeting_lists_the_committee_in_office_that_day(county, town_a_user, members):
    org = county.village_a1
    invitees, from_committee = meeting_invitees(organization=org, kind="committee", day=TODAY)
    assert invitees == sorted(members, key=lambda m: m.name) and not from_committee
    for member, position in [(members[0], "secretary"), (members[1], "organization")]:
        committee_appoint(
            actor=town_a_user,
            organization=org,
            member=member,
            position=position,
            started_on=days_ago(100),
        )
    invitees, from_committee = meeting_invitees(organization=org, kind="committee", day=TODAY)
    assert invitees == [members[0], members[1]] and from_committee
    # Before the committee took office, and for other kinds, the whole branch is listed.
    assert len(meeting_invitees(organization=org, kind="committee", day=days_ago(101))[0]) == 5
    assert len(meeting_invitees(organization=org, kind="theme_day", day=TODAY)[0]) == 5
    with pytest.raises(ValidationError) as exc:
        record(town_a_user, org, members[:3], TODAY, kind="committee")
    assert exc.value.message_dict["attendees"] == ["支部委员会的参会人员应为本支部在任的支部委员。"]
    meeting = record(
        town_a_user, org, members[:1], TODAY, kind="committee", absences={members[1].pk: "外出"}
    )
    assert meeting.absences.get().member == members[1]


def test_a_committee_meeting_recorded_before_the_roster_can_still_be_corrected(
    county, town_a_user, members
):
    org = county.village_a1
    meeting = record(town_a_user, org, members, TODAY, kind="committee")
    committee_appoint(
        actor=town_a_user,
        organization=org,
        member=members[0],
        position="secretary",
        started_on=days_ago(400),
    )
    # Who the record named stays allowed; nobody new from outside the committee is.
    assert update(town_a_user, meeting, members, minutes="补记内容").minutes == "补记内容"
    stranger = make_member(org, name="新党员", id_number=valid_id_number("19800101", 77))
    with pytest.raises(ValidationError):
        update(town_a_user, meeting, [*members, stranger])


def test_a_reason_is_bounded(county, branch_a1_user, members):
    meeting = record(branch_a1_user, county.village_a1, members, TODAY)
    with pytest.raises(ValidationError) as exc:
        meeting_delete(actor=branch_a1_user, meeting=meeting, reason="长" * 201)
    assert exc.value.message_dict["reason"] == ["原因不超过 200 字。"]


def test_a_record_naming_someone_who_has_since_moved_can_still_be_corrected(
    county, town_a_user, members
):
    from zuzhi.members.services import member_transfer

    meeting = record(town_a_user, county.village_a1, members, days_ago(3), host_id=members[0].pk)
    member_transfer(
        actor=town_a_user,
        member=members[0],
        to_org=county.village_a2,
        transfer_date=days_ago(1),
        reason="搬迁",
    )
    members[0].refresh_from_db()
    assert members[0].organization == county.village_a2
    corrected = update(town_a_user, meeting, members, host_id=members[0].pk, minutes="补记")
    assert corrected.minutes == "补记" and corrected.host == members[0]
    newcomer = make_member(
        county.village_a2, name="外支部", id_number=valid_id_number("19800101", 88)
    )
    with pytest.raises(ValidationError):
        update(town_a_user, meeting, [*members, newcomer])
