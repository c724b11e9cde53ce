"""Services that refresh the kept figures (组织概况) running at the same time neither deadlock
nor lose a count. The figures rows are locked in key order, and no service holds an
organization's own row while it waits for them: a registration committing in that
organization checks its foreign key against that row (PostgreSQL's deferred constraint
check takes a key-share lock on it at COMMIT).

Each race is made certain rather than left to timing: a third transaction holds the figures
rows while the services start one after the other, each until it waits; then all are let go.
PostgreSQL only: SQLite has no row locks (a writer takes the whole database)."""

import datetime
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from zuzhi.core.scope import SYSTEM
from zuzhi.members.services import (
    member_bulk_create,
    member_transfer,
    member_transfer_decide,
    member_update,
)
from zuzhi.orglife.services import meeting_record, meeting_update
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import OrgFigures
from zuzhi.orgs.tests.test_figures import counted, kept
from zuzhi.testing.factories import make_member, member_data, valid_id_number

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 20  # seconds: far beyond what the races need, short of hanging the suite


def _in_thread(work: Callable[[], object], errors: list) -> threading.Thread:
    def run():
        try:
            work()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _waiting() -> int:
    """Sessions of the test database waiting for a lock: on the holder, or on one that
    queued for the same row before them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until_waiting(count: int, errors: list) -> None:
    deadline = time.monotonic() + WAIT
    while _waiting() < count:
        assert not errors and time.monotonic() < deadline, f"never {count} waiting: {errors}"
        time.sleep(0.02)


def race(organizations, *works: Callable[[], object]) -> list:
    """Start `works` in this order, each once the ones before wait for the organizations'
    figures rows, which another transaction holds; then release the rows. Returns the works'
    errors."""
    org_figures_refresh(organization_ids=[o.pk for o in organizations])
    held, release, errors = threading.Event(), threading.Event(), []

    def hold():
        with transaction.atomic():
            list(OrgFigures.objects.select_for_update().filter(organization__in=organizations))
            held.set()
            release.wait(WAIT)

    threads = [_in_thread(hold, errors)]
    try:
        assert held.wait(WAIT)
        for n, work in enumerate(works, start=1):
            threads.append(_in_thread(work, errors))
            _until_waiting(n, errors)
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_two_refreshes_naming_two_organizations_in_opposite_orders(county):
    a, b = county.village_a1, county.village_b1
    make_member(a, name="甲", id_number=valid_id_number("19800101", 1))
    make_member(b, name="乙", id_number=valid_id_number("19800101", 2))
    OrgFigures.objects.update(members=0, full_members=0)
    errors = race(
        [a, b],
        lambda: org_figures_refresh(organization_ids=[a.pk, b.pk]),
        lambda: org_figures_refresh(organization_ids=[b.pk, a.pk]),
    )
    assert errors == []
    assert kept(a) == counted(a) == (1, 1, None)
    assert kept(b) == counted(b) == (1, 1, None)


def test_two_transfers_crossing_between_two_branches(county, county_user):
    a, b = county.village_a1, county.village_b1
    going = make_member(a, name="甲", id_number=valid_id_number("19800101", 1))
    coming = make_member(b, name="乙", id_number=valid_id_number("19800101", 2))
    make_member(b, name="丙", id_number=valid_id_number("19800101", 3))

    def send(member, to_org):
        return lambda: member_transfer(
            actor=county_user,
            member=member,
            to_org=to_org,
            transfer_date=datetime.date(2026, 11, 1),
            reason="工作调动",
        )

    errors = race([a, b], send(going, b), send(coming, a))
    assert errors == []
    assert kept(a) == counted(a) == (1, 1, None)
    assert kept(b) == counted(b) == (2, 2, None)


def test_a_registration_while_a_transfer_out_of_the_branch_is_accepted(
    county, town_a_user, town_b_user
):
    a, b = county.village_a1, county.village_b1
    going = make_member(a, name="甲", id_number=valid_id_number("19800101", 1))
    transfer = member_transfer(
        actor=town_a_user,
        member=going,
        to_org=b,
        transfer_date=datetime.date(2026, 11, 1),
        reason="工作调动",
    )
    errors = race(
        [a, b],
        lambda: make_member(a, name="乙", id_number=valid_id_number("19800101", 2)),
        lambda: member_transfer_decide(actor=town_b_user, transfer=transfer, accept=True),
    )
    assert errors == []
    assert kept(a) == counted(a) == (1, 1, None)
    assert kept(b) == counted(b) == (1, 1, None)


def test_a_registration_while_a_member_of_the_branch_is_made_full(county):
    a = county.village_a1
    probationary = make_member(
        a,
        name="甲",
        id_number=valid_id_number("19800101", 1),
        status="probationary",
        full_date=None,
    )
    errors = race(
        [a],
        lambda: make_member(a, name="乙", id_number=valid_id_number("19800101", 2)),
        lambda: member_update(
            actor=SYSTEM,
            member=probationary,
            data={"status": "full", "full_date": datetime.date(2026, 1, 5)},
        ),
    )
    assert errors == []
    assert kept(a) == counted(a) == (2, 2, None)


def test_a_meeting_recorded_while_another_of_the_branch_is_corrected(county, town_a_user):
    a = county.village_a1
    member = make_member(a, name="甲", id_number=valid_id_number("19800101", 1))
    today = timezone.localdate()

    def record(day):
        return lambda: meeting_record(
            actor=town_a_user,
            organization=a,
            kind="theme_day",
            date=day,
            topic="学习",
            attendee_ids=[member.pk],
        )

    earlier = today - datetime.timedelta(days=3)
    saved = meeting_record(
        actor=town_a_user,
        organization=a,
        kind="theme_day",
        date=earlier,
        topic="学习",
        attendee_ids=[member.pk],
    )
    errors = race(
        [a],
        record(today - datetime.timedelta(days=1)),
        lambda: meeting_update(
            actor=town_a_user,
            meeting=saved,
            kind="theme_day",
            date=today,
            topic="学习（更正）",
            attendee_ids=[member.pk],
        ),
    )
    assert errors == []
    assert kept(a) == counted(a) == (1, 1, today)


def test_two_registrations_in_two_branches_listed_in_opposite_orders(county):
    a, b = county.village_a1, county.village_b1

    def register(first, second, start):
        rows = [
            (org, member_data(name=f"党员{n}", id_number=valid_id_number("19810101", n)))
            for n, org in enumerate([first, first, second], start=start)
        ]
        return lambda: member_bulk_create(actor=SYSTEM, rows=rows)

    errors = race([a, b], register(a, b, 0), register(b, a, 10))
    assert errors == []
    # Each refresh counted after the other's registration had committed, or before it
    # began: neither left its organization one registration behind.
    assert kept(a) == counted(a) == (3, 3, None)
    assert kept(b) == counted(b) == (3, 3, None)
