import datetime

from django.core.management import call_command

from zuzhi.tickets import services
from zuzhi.tickets.escalation import escalate_overdue, level_at
from zuzhi.tickets.models import Ticket, TicketEscalation, TicketState
from zuzhi.tickets.selectors import overdue_todo
from zuzhi.tickets.tasks import escalate_tickets

from .conftest import NOW

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
ACCEPT_DUE = NOW + 24 * HOUR  # 日常生活: 24 h to accept, 72 h to resolve


def rows(ticket):
    return list(TicketEscalation.objects.filter(ticket=ticket).values_list("level", "reason"))


def test_a_minute_before_the_accept_deadline_nothing(world):
    ticket = world.new_ticket()
    assert escalate_overdue(now=ACCEPT_DUE - MINUTE).total == 0
    ticket.refresh_from_db()
    assert ticket.escalation == 0 and rows(ticket) == []


def test_at_the_accept_deadline_the_branch_secretary(world):
    ticket = world.new_ticket()
    result = escalate_overdue(now=ACCEPT_DUE)
    assert result.by_level == {1: 1, 2: 0, 3: 0}
    ticket.refresh_from_db()
    assert ticket.escalation == 1 and ticket.escalated_at == ACCEPT_DUE
    assert rows(ticket) == [(1, "accept")]
    assert level_at(ticket, ACCEPT_DUE) == 1


def test_no_double_escalation_across_passes(world):
    ticket = world.new_ticket()
    escalate_overdue(now=ACCEPT_DUE)
    assert escalate_overdue(now=ACCEPT_DUE + 10 * MINUTE).total == 0
    assert rows(ticket) == [(1, "accept")]


def test_climbs_one_level_per_step(world):
    ticket = world.new_ticket()
    escalate_overdue(now=ACCEPT_DUE)
    assert escalate_overdue(now=ACCEPT_DUE + 24 * HOUR - MINUTE).total == 0
    assert escalate_overdue(now=ACCEPT_DUE + 24 * HOUR).by_level[2] == 1
    assert escalate_overdue(now=ACCEPT_DUE + 48 * HOUR).by_level[3] == 1
    assert escalate_overdue(now=ACCEPT_DUE + 200 * HOUR).total == 0
    ticket.refresh_from_db()
    assert ticket.escalation == 3
    assert [lvl for lvl, _ in rows(ticket)] == [1, 2, 3]


def test_after_downtime_every_level_passed_is_recorded_once(world):
    ticket = world.new_ticket()
    assert escalate_overdue(now=ACCEPT_DUE + 49 * HOUR).by_level == {1: 1, 2: 1, 3: 1}
    assert [lvl for lvl, _ in rows(ticket)] == [1, 2, 3]


def test_accepted_in_time_climbs_only_by_the_resolve_deadline(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    assert escalate_overdue(now=ACCEPT_DUE + HOUR).total == 0
    resolve_due = NOW + 72 * HOUR
    assert escalate_overdue(now=resolve_due - MINUTE).total == 0
    assert escalate_overdue(now=resolve_due).by_level[1] == 1
    assert rows(ticket) == [(1, "resolve")]


def test_resolved_and_closed_never_climb(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="已办")
    assert escalate_overdue(now=NOW + 1000 * HOUR).total == 0


def test_each_level_sees_its_overdue_on_the_todo(world):
    world.new_ticket()
    world.new_ticket(world.b_household)  # town B's: nobody of town A counts it
    escalate_overdue(now=ACCEPT_DUE)
    assert overdue_todo(user=world.unit_secretary)[1] == 1
    assert overdue_todo(user=world.community) == {1: 0, 2: 0, 3: 0}
    escalate_overdue(now=ACCEPT_DUE + 24 * HOUR)
    assert overdue_todo(user=world.community)[2] == 1
    assert overdue_todo(user=world.other_community)[2] == 0
    assert overdue_todo(user=world.town)[3] == 0
    escalate_overdue(now=ACCEPT_DUE + 48 * HOUR)
    assert overdue_todo(user=world.town)[3] == 1
    assert overdue_todo(user=world.town_b_staff)[3] == 1  # its own ticket only
    assert overdue_todo(user=world.member.user) == {1: 0, 2: 0, 3: 0}


def test_reopened_ticket_does_not_climb_a_level_twice(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    escalate_overdue(now=NOW + 72 * HOUR)  # level 1 by the resolve deadline
    ticket = services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="办")
    services.ticket_rate(ticket=ticket, rating="unsatisfied", now=NOW + 80 * HOUR)
    new_due = NOW + 80 * HOUR + 72 * HOUR
    assert escalate_overdue(now=new_due).total == 0  # level 1 was reached already
    assert escalate_overdue(now=new_due + 24 * HOUR).by_level[2] == 1
    assert [lvl for lvl, _ in rows(ticket)] == [1, 2]
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.IN_PROGRESS


def test_command_and_task(world, settings):
    world.new_ticket()
    call_command("escalate-tickets", "--now", (ACCEPT_DUE + MINUTE).isoformat())
    assert TicketEscalation.objects.count() == 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # months later (the real clock): the rest of the ladder at once
    assert escalate_tickets.enqueue().return_value == {"1": 0, "2": 1, "3": 1}


def test_the_step_between_levels_is_a_setting(world, settings):
    settings.ZUZHI_TICKET_ESCALATION_STEP_HOURS = 6
    ticket = world.new_ticket()
    assert escalate_overdue(now=ACCEPT_DUE + 6 * HOUR).by_level == {1: 1, 2: 1, 3: 0}
    ticket.refresh_from_db()
    assert ticket.escalation == 2
