"""The whole table, through the services: in every state, every action by every kind of person
succeeds exactly when rules.TRANSITIONS lets that person take it, and is refused otherwise
(400 for the state, 403 for the person)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zuzhi.core.errors import RuleRefused
from zuzhi.tickets import services
from zuzhi.tickets.models import TicketState
from zuzhi.tickets.rules import COMMUNITY, OWNER, TARGET, TEAM, TRANSITIONS

S = TicketState


class Rollback(Exception):
    pass


def _in_state(world, state):
    owner = world.member.user
    ticket = world.new_ticket()
    if state == S.NEW:
        return ticket
    if state == S.CLOSED:
        return services.ticket_close(actor=world.community, ticket=ticket, note="重复")
    ticket = services.ticket_accept(actor=owner, ticket=ticket)
    if state == S.IN_PROGRESS:
        return services.ticket_start(actor=owner, ticket=ticket)
    if state == S.WITH_TEAM:
        return services.ticket_pass_to_team(actor=owner, ticket=ticket, team=world.team)
    if state == S.RESOLVED:
        return services.ticket_resolve(actor=owner, ticket=ticket, resolution="已办")
    return ticket


def _call(world, action, actor, ticket):
    args = {
        "pass_to_team": {"team": world.team},
        "resolve": {"resolution": "已办"},
        "reassign": {"member": world.other_member},
        "close": {"note": "关闭"},
        "attach": {"attachments": [SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff")]},
    }.get(action, {})
    return getattr(services, f"ticket_{action}")(actor=actor, ticket=ticket, **args)


ACTIONS = ["accept", "start", "pass_to_team", "take", "resolve", "reassign", "close", "attach"]


def test_every_state_action_and_person(world):
    checked = 0
    for state in S.values:
        ticket = _in_state(world, state)
        assert ticket.state == state
        with_team = state == S.WITH_TEAM
        people = {
            "owner": (ticket.member.user, {OWNER, TEAM} if with_team else {OWNER}),
            "team member": (world.team_member.user, {TEAM} if with_team else set()),
            "community": (world.community, {COMMUNITY}),
            "branch secretary of the member": (world.unit_secretary, set()),
        }
        for action in ACTIONS:
            allowed = TRANSITIONS[state].get(action)
            for name, (user, mine) in people.items():
                case = f"{state} · {action} · {name}"
                try:
                    with transaction.atomic():
                        done = _call(world, action, user, ticket)
                        raise Rollback(done, done.events.exclude(kind="callback").last().kind)
                except Rollback as ok:
                    assert allowed and allowed & mine, f"{case}: should be refused"
                    done, step = ok.args
                    assert done.state == TARGET.get(action, done.state), case
                    assert step == action, case
                except RuleRefused as refused:
                    assert not (allowed and allowed & mine), f"{case}: refused: {refused}"
                    assert refused.status == (403 if allowed else 400), case
                checked += 1
    assert checked == len(S.values) * len(ACTIONS) * 4
