"""Demo requests of linked households (联户诉求): the default types, a mediation and a
problem-handling team in each joint branch, about 2,000 requests over the last six months in
every state (rated, reopened, passed to teams, some overdue and escalated by one pass), and
open ones on `lianhu1`'s households. Times are real (the escalation reads the clock)."""

import datetime
import random

from django.utils import timezone

from zuzhi.core.scope import SYSTEM
from zuzhi.households.models import Household
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization, OrgType
from zuzhi.tickets import config_services, escalation, services
from zuzhi.tickets.models import ServiceTeam, Ticket, TicketType

REQUESTS = [
    "楼道灯坏了一个月",
    "小区下水道堵塞",
    "帮忙代办老人高龄补贴",
    "邻居装修噪音扰民",
    "楼上漏水到我家，协商不成",
    "孩子入学材料不清楚怎么准备",
    "小区门口路灯不亮",
    "医保报销手续咨询",
]
RESOLUTIONS = ["已联系物业修复", "已协调相关部门处理", "已代为办理完毕", "双方已达成和解"]
HOUR = datetime.timedelta(hours=1)
# The way each request went, and how many of a hundred went that way.
PATHS = [
    (("accept", "start", "resolve", "rate"), 62),
    (("accept", "pass", "take", "resolve", "rate"), 8),
    (("accept", "start", "resolve", "reopen"), 4),
    (("accept", "start", "resolve"), 8),
    (("accept", "start"), 6),
    (("accept", "pass"), 4),
    (("accept",), 3),
    ((), 5),
]
# lianhu1's open requests: new, accepted, in progress, new.
OWN_PATHS = [(), ("accept",), ("accept", "start"), ()]


def _teams() -> None:
    """A mediation and a problem-handling team in each joint (general) branch with members."""
    joints = Organization.objects.filter(
        org_type__in=[OrgType.JOINT_BRANCH, OrgType.JOINT_GENERAL_BRANCH], is_active=True
    ).order_by("path")
    for org in joints:
        people = list(
            Member.objects.filter(organization__path__startswith=org.path).order_by("pk")[:12]
        )
        if len(people) < 4:
            continue
        for specialty, label, pick in (
            ("mediation", "矛盾调解团队", 0),
            ("problem", "问题处理团队", 2),
        ):
            config_services.team_create(
                actor=SYSTEM,
                organization=org,
                name=f"{org.short_name or org.name}{label}",
                specialty=specialty,
                leader=people[pick],
                members=people[pick + 1 : pick + 4],
            )


def _work(ticket: Ticket, path, rng, teams: list[ServiceTeam], now) -> None:
    at = ticket.created_at
    for step in path:
        at = min(at + rng.randint(2, 40) * HOUR, now)
        if step == "accept":
            services.ticket_accept(actor=SYSTEM, ticket=ticket, now=at)
        elif step == "start":
            services.ticket_start(actor=SYSTEM, ticket=ticket, now=at)
        elif step == "pass":
            if not teams:
                return
            services.ticket_pass_to_team(
                actor=SYSTEM, ticket=ticket, team=rng.choice(teams), now=at
            )
        elif step == "take":
            team = Ticket.objects.get(pk=ticket.pk).team
            services.ticket_take(actor=SYSTEM, ticket=ticket, member=team.members.first(), now=at)
        elif step == "resolve":
            services.ticket_resolve(
                actor=SYSTEM,
                ticket=ticket,
                resolution=rng.choice(RESOLUTIONS),
                now=at,
                notify=False,
            )
        elif step in ("rate", "reopen"):
            rating = (
                "unsatisfied" if step == "reopen" else rng.choice(["satisfied"] * 5 + ["basic"])
            )
            services.ticket_rate(ticket=ticket, rating=rating, now=at)
        ticket.refresh_from_db()


def seed_tickets(*, demo, rng: random.Random) -> int:
    """Returns the number of requests (none on a second run)."""
    if Ticket.objects.exists():
        return 0
    config_services.ticket_types_load_defaults(actor=SYSTEM)
    _teams()
    types = list(TicketType.objects.filter(active=True))
    teams = list(ServiceTeam.objects.filter(active=True))
    linked = list(Household.objects.filter(member__isnull=False).values_list("pk", flat=True))
    if not linked or not types:
        return 0
    now = timezone.now()
    count = min(2000, len(linked) // 14 or 1)
    paths = [p for p, _ in PATHS]
    weights = [w for _, w in PATHS]
    for n in range(count):
        household = Household.objects.get(pk=rng.choice(linked))
        created = now - datetime.timedelta(days=rng.uniform(0, 180))
        ticket = services.ticket_create(
            actor=SYSTEM,
            household=household,
            ticket_type=rng.choice(types),
            description=REQUESTS[n % len(REQUESTS)],
            now=created,
        )
        _work(ticket, rng.choices(paths, weights)[0], rng, teams, now)
    own = Household.objects.filter(member__user__username="lianhu1").order_by("pk")[:4]
    for i, household in enumerate(own):
        ticket = services.ticket_create(
            actor=SYSTEM,
            household=household,
            ticket_type=types[i % len(types)],
            description=REQUESTS[i],
            now=now - (i * 30 + 2) * HOUR,
        )
        _work(ticket, OWN_PATHS[i], rng, teams, now)
    escalation.escalate_overdue(now=now)
    return count
