"""Rosters, who owes last month's report (due by the 5th), terms ending, a cadre's own."""

import datetime

import pytest
from django.test import override_settings

from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import make_cadre
from zuzhi.village_work import selectors, services

from .conftest import REPORT, assign, id_number

D = datetime.date


def report(assignment, month):
    return services.report_submit(actor=SYSTEM, assignment=assignment, month=month, **REPORT)


def test_overdue_from_the_day_after_the_due_day(world):
    """May's report is due by 5 June: on the 5th nobody is overdue, on the 6th the missing are."""
    report(world.other_assignment, D(2026, 5, 1))
    assert not selectors.overdue(user=world.officer, today=D(2026, 6, 5)).exists()
    assert list(selectors.last_month_missing(user=world.officer, today=D(2026, 6, 5))) == [
        world.assignment
    ]
    assert list(selectors.overdue(user=world.officer, today=D(2026, 6, 6))) == [world.assignment]
    report(world.assignment, D(2026, 5, 1))
    assert not selectors.overdue(user=world.officer, today=D(2026, 6, 6)).exists()


@override_settings(ZUZHI_VILLAGE_REPORT_DUE_DAY=10)
def test_the_due_day_is_a_setting(world):
    assert not selectors.overdue(user=world.officer, today=D(2026, 6, 10)).exists()
    assert selectors.overdue(user=world.officer, today=D(2026, 6, 11)).count() == 2


def test_nobody_owes_a_month_outside_their_term(county, world):
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(40))
    late = assign(cadre, county.village_a2, start=D(2026, 6, 1), end=D(2027, 5, 31))
    owing = set(selectors.overdue(user=world.officer, today=D(2026, 6, 6)))
    assert late not in owing and world.assignment in owing
    services.assignment_end(
        actor=SYSTEM, assignment=world.assignment, ended_on=D(2026, 5, 20), reason="调整"
    )
    # Ended in May, it still owes May; in July it owes nothing for June.
    assert world.assignment in set(selectors.overdue(user=world.officer, today=D(2026, 6, 6)))
    assert world.assignment not in set(selectors.overdue(user=world.officer, today=D(2026, 7, 6)))


def test_terms_ending_within_60_days(world):
    # world.assignment ends 2027-02-28.
    assert list(selectors.terms_ending(user=world.officer, today=D(2026, 12, 30))) == [
        world.assignment,
        world.other_assignment,
    ]
    assert not selectors.terms_ending(user=world.officer, today=D(2026, 12, 29)).exists()
    assert selectors.terms_ending(user=world.officer, today=D(2027, 2, 28)).count() == 2
    # Past its end and not ended by anyone: still listed, until it is ended.
    assert selectors.terms_ending(user=world.officer, today=D(2027, 3, 1)).count() == 2
    services.assignment_end(
        actor=SYSTEM, assignment=world.assignment, ended_on=D(2026, 6, 1), reason="调整"
    )
    assert list(selectors.terms_ending(user=world.officer, today=D(2027, 3, 1))) == [
        world.other_assignment
    ]


def test_roster_by_township_counts_in_the_database(county, world, django_assert_num_queries):
    cadre = make_cadre(county.unit, name="孙", id_number=id_number(41))
    assign(cadre, county.village_a2, role="team_member", end=D(2026, 7, 31))
    report(world.assignment, D(2026, 5, 1))
    with django_assert_num_queries(2):  # the user's roles, then one aggregate
        rows = selectors.roster_by_township(user=world.officer, today=D(2026, 6, 6))
    a, b = rows
    assert (a["township__name"], a["total"], a["villages"]) == ("城关镇党委", 2, 2)
    assert (a["first_secretaries"], a["team_members"], a["instructors"]) == (1, 1, 0)
    assert (a["missing"], a["overdue"], a["ending"]) == (1, 1, 1)
    assert (b["township__name"], b["instructors"], b["overdue"]) == ("城郊乡党委", 1, 1)
    early = selectors.roster_by_township(user=world.officer, today=D(2026, 6, 5))
    assert [r["overdue"] for r in early] == [0, 0] and [r["missing"] for r in early] == [1, 1]


def test_a_cadres_own_assignments_and_reports(world):
    report(world.assignment, D(2026, 5, 1))
    assert list(selectors.my_assignments(user=world.secretary_user)) == [world.assignment]
    assert [r.month for r in selectors.my_reports(user=world.secretary_user)] == [D(2026, 5, 1)]


def test_the_form_preselects_last_month_while_it_is_missing(world):
    assert selectors.default_report_month(assignment=world.assignment, today=D(2026, 6, 3)) == D(
        2026, 5, 1
    )
    report(world.assignment, D(2026, 5, 1))
    assert selectors.default_report_month(assignment=world.assignment, today=D(2026, 6, 3)) == D(
        2026, 6, 1
    )
    months = selectors.report_months(assignment=world.assignment, today=D(2026, 6, 3))
    assert months[0] == D(2026, 6, 1) and D(2026, 5, 1) not in months


@pytest.mark.parametrize("day", [D(2026, 6, 6)])
def test_the_roster_says_who_reported_last_month(world, day):
    report(world.assignment, D(2026, 5, 1))
    rows = {a.pk: a for a in selectors.roster(user=world.officer, today=day)}
    assert rows[world.assignment.pk].reported_last_month is True
    assert rows[world.other_assignment.pk].reported_last_month is False
    assert rows[world.assignment.pk].latest_month == D(2026, 5, 1)
