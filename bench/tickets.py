"""Benchmark: households' requests (联户服务诉求) at 100,000 open tickets (targets: the
escalation pass under 5 s, a member's ticket list under 50 ms; SQLite and PostgreSQL).

Builds, in a fresh database and without the services (a fixture, no audit): a county with 3
towns of 10 communities each, 1,000 county-unit members in 10 joint branches, 10,000 households
(ten per member) and 100,000 open tickets of the four default types spread over the last 20
days in every open state (so that some stand before their deadlines, some just past them and
some days past). Then times `escalate_overdue` three times: the first pass ever (every overdue
ticket of the 20 days at once: a worst case, e.g. after the task was down), the routine pass
ten minutes later (the tickets that crossed a deadline since), and a pass with nothing new;
and a member's
我的诉求 (first page of 20, open first, with its count) for members with the most tickets.

    .venv/bin/python bench/tickets.py [--tickets 100000] [--repeat 3]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/tickets.py
"""

import argparse
import datetime
import random
import statistics
import sys
import time

from harness import is_child, on_each_database

TOWNS, COMMUNITIES, JOINTS, MEMBERS, PER_MEMBER = 3, 10, 10, 1000, 10


def build(tickets: int, now: datetime.datetime) -> None:
    from django.db import connection

    from zuzhi.accounts.models import User
    from zuzhi.core.scope import SYSTEM
    from zuzhi.households.models import Household
    from zuzhi.members.models import Member
    from zuzhi.orgs.models import OrgType, UnitCategory
    from zuzhi.testing.factories import OrganizationFactory
    from zuzhi.tickets.config_services import ticket_types_load_defaults
    from zuzhi.tickets.models import Ticket, TicketChannel, TicketState, TicketType

    rng = random.Random(16)
    county = OrganizationFactory(
        code="C", name="县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category=UnitCategory.COUNTY
    )
    communities = []
    for t in range(TOWNS):
        town = OrganizationFactory(
            parent=county, code=f"T{t}", name=f"第{t}镇党委", org_type=OrgType.COMMITTEE
        )
        communities += [
            OrganizationFactory(
                parent=town,
                code=f"T{t}C{c}",
                name=f"第{t}镇第{c}社区党支部",
                unit_category=UnitCategory.COMMUNITY,
            )
            for c in range(COMMUNITIES)
        ]
    joints = [
        OrganizationFactory(
            parent=county, code=f"J{j}", name=f"第{j}联合党支部", org_type=OrgType.JOINT_BRANCH
        )
        for j in range(JOINTS)
    ]
    members = Member.objects.bulk_create(
        (
            Member(
                name=f"党员{i}",
                id_number=f"41133019800101{i:04d}",
                gender="1",
                ethnicity="01",
                birth_date=datetime.date(1980, 1, 1),
                join_date=datetime.date(2005, 7, 1),
                status="full",
                organization=joints[i % JOINTS],
            )
            for i in range(MEMBERS)
        ),
        batch_size=2000,
    )
    households = Household.objects.bulk_create(
        (
            Household(
                community=communities[(i // PER_MEMBER) % len(communities)],
                address=f"幸福路 {i} 号",
                head_name=f"户主{i}",
                phone="13900000000",
                member=members[i // PER_MEMBER],
                qr_token=f"qr{i}",
            )
            for i in range(MEMBERS * PER_MEMBER)
        ),
        batch_size=5000,
    )
    ticket_types_load_defaults(actor=SYSTEM)
    types = list(TicketType.objects.all())
    states = [TicketState.NEW, TicketState.ACCEPTED, TicketState.IN_PROGRESS, TicketState.WITH_TEAM]

    def ticket(i):
        household = households[i % len(households)]
        kind = types[i % len(types)]
        created = now - datetime.timedelta(minutes=rng.randint(0, 20 * 24 * 60))
        return Ticket(
            household=household,
            type=kind,
            channel=TicketChannel.HOUSEHOLD,
            description="楼道灯坏了",
            state=states[i % len(states)],
            member_id=household.member_id,
            created_at=created,
            accept_due=created + datetime.timedelta(hours=kind.accept_hours),
            resolve_due=created + datetime.timedelta(hours=kind.resolve_hours),
            callback_token=f"cb{i}",
        )

    Ticket.objects.bulk_create((ticket(i) for i in range(tickets)), batch_size=5000)
    member = members[0]
    member.user = User.objects.create(username="lianhu1", full_name=member.name)
    member.save(update_fields=["user"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def run(tickets: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from zuzhi.accounts.models import User
    from zuzhi.tickets import rules
    from zuzhi.tickets.escalation import escalate_overdue
    from zuzhi.tickets.models import Ticket, TicketEscalation
    from zuzhi.tickets.selectors import my_tickets

    call_command("migrate", verbosity=0)
    now = timezone.now()
    t0 = time.perf_counter()
    build(tickets, now)
    print(
        f"[{connection.vendor}] built {Ticket.objects.count():,} open tickets "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    backlog, routine, again = [], [], []
    earlier = now - datetime.timedelta(minutes=10)
    for _ in range(repeat):
        TicketEscalation.objects.all().delete()
        Ticket.objects.update(escalation=0, escalated_at=None)
        # The reset leaves 100,000 dead row versions on PostgreSQL that autovacuum would have
        # cleared before any real pass; measured on a settled table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        t = time.perf_counter()
        first = escalate_overdue(now=earlier)
        backlog.append(time.perf_counter() - t)
        t = time.perf_counter()
        step = escalate_overdue(now=now)
        routine.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert escalate_overdue(now=now).total == 0
        again.append(time.perf_counter() - t)
    print(
        f"[{connection.vendor}] escalation over {tickets:,} open tickets (target < 5 s): "
        f"the first pass ever (a backlog: escalates {first.total:,}, {first.by_level}) median "
        f"{statistics.median(backlog):.2f} s; the pass ten minutes later (escalates "
        f"{step.total:,}) median {statistics.median(routine):.2f} s; a pass with nothing new "
        f"median {statistics.median(again):.2f} s"
    )
    user = User.objects.get(username="lianhu1")
    samples = []
    for _ in range(max(20, repeat * 10)):
        user = User.objects.get(pk=user.pk)  # no cached member id between samples
        t = time.perf_counter()
        qs = my_tickets(user=user)
        count = qs.count()
        page = list(qs[:20])
        for ticket in page:
            rules.allowed_actions(user, ticket)
        samples.append(time.perf_counter() - t)
    samples.sort()
    print(
        f"[{connection.vendor}] a member's 我的诉求 ({count} tickets, first page of "
        f"{len(page)}): median {statistics.median(samples) * 1000:.1f} ms, "
        f"p95 {samples[int(len(samples) * 0.95) - 1] * 1000:.1f} ms (target < 50 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if is_child():
        run(args.tickets, args.repeat)
        return 0
    return on_each_database(__file__, "zuzhi_bench_tickets")


if __name__ == "__main__":
    sys.exit(main())
