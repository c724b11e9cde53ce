"""The home page's meeting figures: who owes which meetings, reminders before the deadline,
and the monthly rates of the chart."""

import datetime

from zuzhi.core.scope import SYSTEM
from zuzhi.orglife.selectors import (
    compliance,
    meetings_due,
    meetings_overdue,
    meetings_to_remind,
    monthly_meeting_rates,
    reminders,
)
from zuzhi.orglife.services import meeting_record
from zuzhi.orgs.services import org_update
from zuzhi.testing.factories import OrganizationFactory, make_member, valid_id_number

NOV = datetime.date(2026, 11, 10)


def hold(org, kind, day=NOV):
    member = org.members.first() or make_member(
        org, name="王五", id_number=valid_id_number("19800101", org.pk % 1000)
    )
    meeting_record(
        actor=SYSTEM,
        organization=org,
        kind=kind,
        date=day,
        topic="学习",
        attendee_ids=[member.pk],
    )


def test_a_branch_founded_in_november_owes_nothing_for_the_months_before(county, town_a_user):
    org_update(actor=SYSTEM, org=county.village_a2, data={"founded_on": datetime.date(2026, 11, 5)})
    october = datetime.date(2026, 10, 15)
    assert [r.organization for r in compliance(user=town_a_user, day=october)] == [
        county.village_a1
    ]
    assert meetings_due(user=town_a_user, day=october, frequency="month").branches == 1
    # In October it owes the quarter's and the year's meetings (they end after it was
    # founded), not October's.
    owed = {
        p.kind for o, _, p in reminders(user=town_a_user, day=october) if o == county.village_a2
    }
    assert owed == {"quarter", "year"}
    # From the month it was founded on, it owes that month's meetings like any branch.
    assert meetings_due(user=town_a_user, day=NOV, frequency="month").branches == 2


def test_without_a_founding_date_a_branch_owes_from_the_month_it_was_entered(county, county_user):
    new = OrganizationFactory(
        parent=county.town_b, code="VB2", name="新建村党支部", founded_on=None
    )
    entered = new.created_at.date()
    before = entered.replace(day=1) - datetime.timedelta(days=1)
    owing = {r.organization for r in compliance(user=county_user, day=before)}
    assert new not in owing and county.village_b1 in owing
    assert new in {r.organization for r in compliance(user=county_user, day=entered)}


def test_counts_go_by_township_for_the_county_and_by_branch_for_the_township(
    county, county_user, town_a_user, town_b_user, branch_a1_user
):
    hold(county.village_a1, "committee")
    hold(county.village_a1, "theme_day")
    hold(county.village_a2, "committee")
    due = meetings_due(user=county_user, day=NOV, frequency="month")
    # village_a2 lacks its theme day; village_b1 and the county unit's branch hold nothing.
    assert due.branches == 3
    assert due.by_kind == {"committee": 2, "theme_day": 3}
    assert [(o.code, n) for o, n in due.groups] == [("TA", 1), ("TB", 1), ("U1", 1)]
    town = meetings_due(user=town_a_user, day=NOV, frequency="month")
    assert (town.branches, [(o.code, n) for o, n in town.groups]) == (1, [("VA2", 1)])
    assert meetings_due(user=town_b_user, day=NOV, frequency="month").by_kind == {
        "committee": 1,
        "theme_day": 1,
    }
    own = meetings_due(user=branch_a1_user, day=NOV, frequency="month")
    assert (own.branches, own.groups) == (0, [])


def test_reminders_start_some_days_before_the_period_ends(county, town_a_user):
    hold(county.village_a1, "committee", datetime.date(2026, 12, 1))
    # 5 December: only the year's organizational life meeting is close enough to its end.
    early = meetings_to_remind(user=town_a_user, day=datetime.date(2026, 12, 5))
    assert [d.period.kind for d in early] == ["year"]
    assert early[0].period.end == datetime.date(2027, 1, 1) and early[0].branches == 2
    # 12 December: the quarter's lecture and assembly join; 22 December the month's meetings.
    assert [
        d.period.kind for d in meetings_to_remind(user=town_a_user, day=datetime.date(2026, 12, 12))
    ] == [
        "quarter",
        "year",
    ]
    late = meetings_to_remind(user=town_a_user, day=datetime.date(2026, 12, 22))
    month = next(d for d in late if d.period.kind == "month")
    assert month.by_kind == {"committee": 1, "theme_day": 2}
    # Before its window a period is not mentioned at all, even with everything missing.
    assert meetings_to_remind(user=town_a_user, day=datetime.date(2026, 10, 3)) == []


def test_overdue_is_the_last_month_and_the_last_quarter(county, town_a_user):
    hold(county.village_a1, "committee")
    hold(county.village_a1, "theme_day")
    overdue = meetings_overdue(user=town_a_user, day=datetime.date(2026, 12, 5))
    # The quarter before December's is the third, which ended first.
    assert [(d.period.kind, d.period.start, d.branches) for d in overdue] == [
        ("quarter", datetime.date(2026, 7, 1), 2),
        ("month", datetime.date(2026, 11, 1), 1),
    ]


def test_monthly_rates_count_branches_that_existed_and_held_each_kind(
    county, county_user, town_b_user
):
    org_update(
        actor=SYSTEM, org=county.village_b1, data={"founded_on": datetime.date(2026, 10, 20)}
    )
    hold(county.village_a1, "committee")
    hold(county.village_a1, "committee", datetime.date(2026, 11, 20))  # twice: one branch
    hold(county.village_b1, "committee")
    hold(county.village_b1, "theme_day", datetime.date(2026, 11, 1))
    hold(county.village_b1, "theme_day", datetime.date(2026, 12, 1))  # the month under way
    rates = monthly_meeting_rates(user=county_user, day=datetime.date(2026, 12, 5))
    assert rates["months"][0] == "2025-12" and rates["months"][-1] == "2026-11"
    assert rates["branches"][9] == 3 and rates["branches"][10:] == [4, 4]
    committee = next(k for k in rates["kinds"] if k["kind"] == "committee")
    theme = next(k for k in rates["kinds"] if k["kind"] == "theme_day")
    assert committee["label"] == "支部委员会" and committee["held"][11] == 2
    assert theme["held"][11] == 1 and sum(theme["held"]) == 1
    town = monthly_meeting_rates(user=town_b_user, day=datetime.date(2026, 12, 5))
    assert town["branches"][9:] == [0, 1, 1]
    assert next(k for k in town["kinds"] if k["kind"] == "committee")["held"][11] == 1
