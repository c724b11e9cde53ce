"""Escalation of overdue tickets (逾期逐级上报), run every few minutes by `zuzhi
escalate-tickets` or the task `escalate_tickets` (tasks.py).

The rule: a ticket is overdue by a deadline when it is still 待受理 at `accept_due` (reason
"accept") or still open (any of OPEN_STATES) at `resolve_due` (reason "resolve"). It stands at
level n (1 the member's branch secretary, 2 the community, 3 the town) once

    now ≥ due + (n − 1) × ZUZHI_TICKET_ESCALATION_STEP_HOURS   (settings; default 24 hours)

for either deadline: at the deadline it reaches the secretary, a step later the community, two
steps later the town. A minute before the deadline nothing happens. Every level reached is
recorded once (TicketEscalation, unique on ticket and level; a pass after downtime records
every level passed), so no pass escalates a ticket twice for one level; a ticket reopened by
an unsatisfied rating gets a new resolve deadline but climbs only to levels not yet reached.

Set-based, for province scale: per level one INSERT … SELECT of the escalation rows and one
UPDATE of the tickets, over the (state, escalation, due) indexes; no Python loop over
tickets: first the rows of every level reached (each from the tickets standing below it),
then the tickets, highest level first, so that each ticket is written once.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, DateTimeField, IntegerField, Q, Value, When
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import SYSTEM

from .models import OPEN_STATES, EscalationLevel, Ticket, TicketEscalation, TicketState

LEVELS = (EscalationLevel.SECRETARY, EscalationLevel.COMMUNITY, EscalationLevel.TOWN)


def step() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ZUZHI_TICKET_ESCALATION_STEP_HOURS)


def _accept_q(threshold) -> Q:
    return Q(state=TicketState.NEW, accept_due__lte=threshold)


def overdue_q(level: int, now: datetime.datetime) -> Q:
    """Tickets that stand at `level` or above at `now` (the rule above, as a filter)."""
    threshold = now - (level - 1) * step()
    return _accept_q(threshold) | Q(state__in=OPEN_STATES, resolve_due__lte=threshold)


def level_at(ticket: Ticket, now: datetime.datetime) -> int:
    """The readable twin of `overdue_q` for one ticket: the level it stands at now."""
    if ticket.state not in OPEN_STATES:
        return 0
    dues = [ticket.resolve_due] + ([ticket.accept_due] if ticket.state == TicketState.NEW else [])
    passed = now - min(dues)
    if passed < datetime.timedelta(0):
        return 0
    return min(len(LEVELS), 1 + int(passed / step()))


@dataclass
class EscalationResult:
    by_level: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


def _insert_escalations(level: int, now: datetime.datetime) -> int:
    """INSERT … SELECT one row per ticket newly at `level` (ignoring any row already there);
    the number of rows written."""
    threshold = now - (level - 1) * step()
    rows = (
        Ticket.objects.filter(overdue_q(level, now), escalation__in=range(level))
        .order_by()
        .annotate(
            e_level=Value(level, output_field=IntegerField()),
            e_reason=Case(
                When(_accept_q(threshold), then=Value("accept")),
                default=Value("resolve"),
                output_field=CharField(),
            ),
            e_at=Value(now, output_field=DateTimeField()),
        )
        .values_list("pk", "e_level", "e_reason", "e_at")
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(TicketEscalation._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c) for c in ("ticket_id", "level", "reason", "at")
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING", params)
        return cursor.rowcount


def escalate_overdue(*, now: datetime.datetime | None = None) -> EscalationResult:
    """One pass of the rule above over every open ticket; returns the new escalations by
    level. Audited as one row of the system when anything climbed."""
    now = now or timezone.now()
    result = EscalationResult()
    with transaction.atomic():
        for level in LEVELS:
            result.by_level[int(level)] = _insert_escalations(level, now)
        # Highest level first: each ticket is written once, at the level it reached.
        for level in reversed(LEVELS):
            Ticket.objects.filter(overdue_q(level, now), escalation__in=range(level)).update(
                escalation=level, escalated_at=now
            )
        if result.total:
            audit_record(
                actor=SYSTEM,
                action=AuditAction.UPDATE,
                target_type="tickets.ticket",
                target_repr="逾期诉求上报",
                after={str(k): v for k, v in result.by_level.items()},
                message="逾期诉求逐级上报："
                + "，".join(
                    f"{EscalationLevel(k).label} {v} 件" for k, v in result.by_level.items() if v
                ),
            )
    return result
