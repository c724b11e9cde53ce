import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.orglife.selectors import compliance, period_of, reminders
from zuzhi.orglife.services import meeting_record
from zuzhi.orgs.selectors import HealthFlag, org_health
from zuzhi.testing.factories import make_member, valid_id_number

DAY = datetime.date(2026, 11, 10)


@pytest.fixture
def members(county):
    return [
        make_member(county.village_a1, name=f"党员{i}", id_number=valid_id_number("19800101", i))
        for i in range(5)
    ]


def record(actor, org, kind, attendees, day=DAY, **kwargs):
    return meeting_record(
        actor=actor,
        organization=org,
        kind=kind,
        date=day,
        topic="学习党的二十届四中全会精神",
        attendee_ids=[m.pk for m in attendees],
        **kwargs,
    )


def test_record_with_absences_is_audited_once(county, town_a_user, members):
    start = AuditLog.objects.count()
    meeting = record(
        town_a_user,
        county.village_a1,
        "committee",
        members[:3],
        absences={members[3].pk: "外出务工"},
    )
    assert set(meeting.attendees.all()) == set(members[:3])
    assert meeting.absences.get().reason == "外出务工"
    rows = list(AuditLog.objects.order_by("id")[start:])
    assert (
        len(rows) == 1
        and rows[0].action == AuditAction.CREATE
        and rows[0].after["absences"] == {str(members[3].pk): "外出务工"}
    )


def test_attendees_come_from_the_branch(county, town_a_user, members):
    stranger = make_member(
        county.village_a2, name="外支部", id_number=valid_id_number("19800101", 99)
    )
    with pytest.raises(ValidationError) as exc:
        record(town_a_user, county.village_a1, "committee", [members[0], stranger])
    assert "本支部" in exc.value.message_dict["attendees"][0]


def test_member_assembly_needs_more_than_half(county, town_a_user, members):
    with pytest.raises(ValidationError) as exc:
        record(town_a_user, county.village_a1, "member_assembly", members[:2])
    assert "半数以上" in exc.value.message_dict["attendees"][0]
    assert record(town_a_user, county.village_a1, "member_assembly", members[:3]).pk


def test_other_township_and_future_dates_are_refused(county, town_a_user, town_b_user, members):
    with pytest.raises(Http404):
        record(town_b_user, county.village_a1, "committee", members[:3])
    with pytest.raises(ValidationError):
        record(
            town_a_user, county.village_a1, "committee", members[:3], day=datetime.date(2099, 1, 1)
        )


def test_periods():
    assert period_of("month", DAY).start == datetime.date(2026, 11, 1)
    assert period_of("month", datetime.date(2026, 12, 31)).end == datetime.date(2027, 1, 1)
    q4 = period_of("quarter", DAY)
    assert (q4.start, q4.end, q4.label) == (
        datetime.date(2026, 10, 1),
        datetime.date(2027, 1, 1),
        "2026 年第 4 季度",
    )


def test_a_branch_that_missed_its_month_is_flagged(county, town_a_user, members, settings):
    settings.ZUZHI_MEETING_FREQUENCY = {
        "committee": "month",
        "theme_day": "month",
        "member_assembly": "quarter",
    }
    record(
        town_a_user, county.village_a1, "committee", members[:3], day=datetime.date(2026, 10, 20)
    )
    record(town_a_user, county.village_a1, "theme_day", members[:3], day=datetime.date(2026, 11, 5))
    november = {
        c.organization.code: c for c in compliance(user=town_a_user, day=DAY, frequency="month")
    }
    assert november["VA1"].missing == ["committee"]
    assert november["VA1"].held == {"committee": 0, "theme_day": 1}
    october = {
        c.organization.code: c
        for c in compliance(user=town_a_user, day=datetime.date(2026, 10, 1), frequency="month")
    }
    assert october["VA1"].missing == ["theme_day"]
    assert set(november) == {"VA1", "VA2"}  # only branches, only in scope
    due = [(org.code, kind) for org, kind, _ in reminders(user=town_a_user, day=DAY)]
    assert (
        ("VA1", "committee") in due
        and ("VA1", "member_assembly") in due
        and ("VA1", "theme_day") not in due
    )


def test_no_meeting_for_60_days_is_a_health_flag(county, town_a_user, members):
    record(town_a_user, county.village_a1, "committee", members[:3], day=datetime.date(2026, 9, 24))
    flags = {
        org.code: f for org, f in org_health(user=town_a_user, today=datetime.date(2026, 11, 23))
    }
    assert (
        HealthFlag.NO_RECENT_MEETING in flags["VA1"]
        and HealthFlag.NO_RECENT_MEETING in flags["VA2"]
    )
    flags = {
        org.code: f for org, f in org_health(user=town_a_user, today=datetime.date(2026, 11, 22))
    }
    assert HealthFlag.NO_RECENT_MEETING not in flags.get("VA1", [])


@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1899, 12, 31)])
def test_a_meeting_before_1900_is_refused(county, town_a_user, members, day):
    with pytest.raises(ValidationError) as exc:
        record(town_a_user, county.village_a1, "theme_day", members, day=day)
    assert exc.value.message_dict["date"] == ["日期应在 1900 年至 2100 年之间。"]
    assert record(
        town_a_user, county.village_a1, "theme_day", members, day=datetime.date(1900, 1, 1)
    )


def test_compliance_at_the_edge_of_the_calendar_is_refused(county, town_a_user):
    # The year after 9999 does not exist: without the bound the period's end is a crash.
    with pytest.raises(ValidationError) as exc:
        compliance(user=town_a_user, day=datetime.date(9999, 12, 31), frequency="year")
    assert exc.value.message_dict == {"day": ["日期应在 1900 年至 2100 年之间。"]}
