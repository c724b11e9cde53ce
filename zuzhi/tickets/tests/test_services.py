import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.tickets import config_services, services
from zuzhi.tickets.models import Rating, TicketChannel, TicketEvent, TicketState, TicketType

from .conftest import NOW

HOUR = datetime.timedelta(hours=1)


def test_default_types_have_documented_deadlines(world):
    got = {t.name: (t.accept_hours, t.resolve_hours) for t in TicketType.objects.all()}
    assert got == {
        "日常生活": (24, 72),
        "事项代办": (24, 120),
        "矛盾调解": (24, 168),
        "诉求办理": (24, 360),
    }
    assert config_services.ticket_types_load_defaults(actor=SYSTEM) == []


def test_only_county_staff_edit_types(world):
    with pytest.raises(Http404):
        config_services.ticket_type_update(
            actor=world.town, ticket_type=world.daily, data={"resolve_hours": 48}
        )
    config_services.ticket_type_update(
        actor=world.county_staff, ticket_type=world.daily, data={"resolve_hours": 48}
    )
    world.daily.refresh_from_db()
    assert world.daily.resolve_hours == 48
    with pytest.raises(ValidationError):
        config_services.ticket_type_update(
            actor=world.county_staff,
            ticket_type=world.daily,
            data={"resolve_hours": 2, "accept_hours": 3},
        )


def test_member_creates_for_own_household_with_deadlines_from_type(world):
    ticket = world.new_ticket()
    assert ticket.channel == TicketChannel.MEMBER
    assert ticket.member == world.member
    assert ticket.state == TicketState.NEW
    assert ticket.accept_due == NOW + 24 * HOUR
    assert ticket.resolve_due == NOW + 72 * HOUR
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.to_state, event.actor) == ("create", "new", world.member.user)
    assert event.at == NOW and ticket.created_at.utcoffset() == 8 * HOUR  # Asia/Shanghai
    assert AuditLog.objects.filter(target_type="tickets.ticket", target_id=str(ticket.pk)).exists()


def test_member_may_not_create_for_anothers_household_nor_other_community(world):
    with pytest.raises(Http404):
        services.ticket_create(
            actor=world.member.user,
            household=world.other_household,
            ticket_type=world.daily,
            description="x",
        )
    with pytest.raises(Http404):
        services.ticket_create(
            actor=world.other_community,
            household=world.household,
            ticket_type=world.daily,
            description="x",
        )


def test_community_creates_on_its_household(world):
    ticket = services.ticket_create(
        actor=world.community,
        household=world.household,
        ticket_type=world.daily,
        description="漏水",
    )
    assert ticket.channel == TicketChannel.COMMUNITY
    assert ticket.member == world.member


def test_public_create_is_the_households_own(world):
    ticket = services.ticket_create_public(
        household=world.household, ticket_type=world.daily, description="路灯", phone="13900001111"
    )
    assert ticket.channel == TicketChannel.HOUSEHOLD
    assert ticket.contact_phone == "13900001111"
    assert ticket.events.get().actor_label == "群众（139****1111）"


def test_empty_description_refused(world):
    with pytest.raises(ValidationError):
        world.new_ticket(description="  ")


def test_member_accepts_starts_and_resolves(world):
    ticket = world.new_ticket()
    user = world.member.user
    ticket = services.ticket_accept(actor=user, ticket=ticket, now=NOW + HOUR)
    assert ticket.state == TicketState.ACCEPTED and ticket.accepted_at == NOW + HOUR
    ticket = services.ticket_start(actor=user, ticket=ticket)
    assert ticket.state == TicketState.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.ticket_resolve(actor=user, ticket=ticket, resolution=" ")
    ticket = services.ticket_resolve(actor=user, ticket=ticket, resolution="已换灯泡")
    assert ticket.state == TicketState.RESOLVED and ticket.resolution == "已换灯泡"
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == ["create", "accept", "start", "resolve", "callback"]


@pytest.mark.parametrize("who", ["other_member", "unit_secretary", "team_member", "outsider"])
def test_others_who_are_not_owner_or_community_may_not_accept(world, who):
    ticket = world.new_ticket()
    person = getattr(world, who)
    user = getattr(person, "user", person)
    with pytest.raises(RuleRefused) as refused:
        services.ticket_accept(actor=user, ticket=ticket)
    assert refused.value.status == 403
    ticket.refresh_from_db()
    assert ticket.state == TicketState.NEW


def test_community_may_accept_but_not_resolve(world):
    ticket = services.ticket_accept(actor=world.community, ticket=world.new_ticket())
    with pytest.raises(RuleRefused) as refused:
        services.ticket_resolve(actor=world.community, ticket=ticket, resolution="x")
    assert refused.value.status == 403


def test_wrong_state_refused_naming_the_state(world):
    ticket = world.new_ticket()
    with pytest.raises(RuleRefused) as refused:
        services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="x")
    assert refused.value.status == 400
    assert "待受理" in refused.value.messages[0]
    with pytest.raises(RuleRefused):
        services.ticket_start(actor=world.member.user, ticket=ticket)


def test_pass_to_team_leader_owns_until_a_member_takes_it(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    ticket = services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
    assert ticket.state == TicketState.WITH_TEAM
    assert ticket.member == world.leader and ticket.taken_by is None
    # the member passed it on: they no longer work it
    with pytest.raises(RuleRefused):
        services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="x")
    with pytest.raises(RuleRefused):
        services.ticket_take(actor=world.outsider.user, ticket=ticket)
    ticket = services.ticket_take(actor=world.team_member.user, ticket=ticket)
    assert ticket.state == TicketState.IN_PROGRESS
    assert ticket.member == world.team_member and ticket.taken_by == world.team_member
    ticket = services.ticket_resolve(
        actor=world.team_member.user, ticket=ticket, resolution="调解成功"
    )
    assert ticket.state == TicketState.RESOLVED


def test_leader_may_resolve_a_ticket_with_the_team(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    ticket = services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
    ticket = services.ticket_resolve(actor=world.leader.user, ticket=ticket, resolution="已办")
    assert ticket.state == TicketState.RESOLVED


def test_member_passes_only_to_teams_of_their_joint_branch(world):
    other = config_services.team_create(
        actor=SYSTEM,
        organization=world.joint_general,
        name="问题处理团队",
        specialty="problem",
        leader=world.leader,
        members=[],
    )
    ticket = services.ticket_accept(
        actor=world.outsider.user, ticket=world.new_ticket(world.b_household)
    )
    with pytest.raises(RuleRefused):
        services.ticket_pass_to_team(actor=world.outsider.user, ticket=ticket, team=other)
    # the community passes to any team
    ticket = services.ticket_pass_to_team(actor=SYSTEM, ticket=ticket, team=other)
    assert ticket.member == world.leader


def test_community_reassigns_and_closes(world):
    ticket = world.new_ticket()
    with pytest.raises(RuleRefused):
        services.ticket_reassign(actor=world.member.user, ticket=ticket, member=world.other_member)
    ticket = services.ticket_reassign(
        actor=world.community, ticket=ticket, member=world.other_member
    )
    assert ticket.member == world.other_member and ticket.state == TicketState.NEW
    with pytest.raises(ValidationError):
        services.ticket_close(actor=world.community, ticket=ticket, note="")
    ticket = services.ticket_close(actor=world.town, ticket=ticket, note="重复提交")
    assert ticket.state == TicketState.CLOSED and ticket.closed_at
    with pytest.raises(RuleRefused):
        services.ticket_accept(actor=world.other_member.user, ticket=ticket)


def test_reassign_takes_it_back_from_the_team(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    ticket = services.ticket_pass_to_team(actor=world.member.user, ticket=ticket, team=world.team)
    ticket = services.ticket_reassign(actor=world.community, ticket=ticket, member=world.member)
    assert ticket.state == TicketState.IN_PROGRESS and ticket.team is None


def _resolved(world):
    ticket = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    return services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="已办")


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASIC])
def test_satisfied_rating_closes(world, rating):
    ticket = services.ticket_rate(ticket=_resolved(world), rating=rating, comment="谢谢")
    assert ticket.state == TicketState.CLOSED and ticket.rating == rating
    assert ticket.events.last().actor_label == "群众（回访）"


def test_unsatisfied_rating_reopens_with_a_new_deadline(world):
    now = NOW + 50 * HOUR
    ticket = services.ticket_rate(ticket=_resolved(world), rating=Rating.UNSATISFIED, now=now)
    assert ticket.state == TicketState.IN_PROGRESS and ticket.reopened == 1
    assert ticket.resolve_due == now + 72 * HOUR
    # then the member resolves it again, and it can be rated again
    ticket = services.ticket_resolve(actor=world.member.user, ticket=ticket, resolution="再次处理")
    ticket = services.ticket_rate(ticket=ticket, rating=Rating.SATISFIED)
    assert ticket.state == TicketState.CLOSED


def test_rating_only_a_resolved_ticket(world):
    with pytest.raises(RuleRefused):
        services.ticket_rate(ticket=world.new_ticket(), rating=Rating.SATISFIED)
    with pytest.raises(ValidationError):
        services.ticket_rate(ticket=_resolved(world), rating="great")


def test_community_closes_a_resolved_ticket_after_a_phone_callback(world):
    ticket = services.ticket_close(
        actor=world.community, ticket=_resolved(world), note="电话回访满意"
    )
    assert ticket.state == TicketState.CLOSED


def test_team_only_in_a_joint_branch_with_its_members(world):
    with pytest.raises(ValidationError):
        config_services.team_create(
            actor=SYSTEM,
            organization=world.unit_2,
            name="x",
            specialty="other",
            leader=world.outsider,
            members=[],
        )
    with pytest.raises(ValidationError):
        config_services.team_create(
            actor=SYSTEM,
            organization=world.joint,
            name="y",
            specialty="other",
            leader=world.leader,
            members=[world.outsider],
        )
    with pytest.raises(Http404):
        config_services.team_update(actor=world.town, team=world.team, data={"name": "新名"})
    team = config_services.team_update(
        actor=world.county_staff, team=world.team, data={"name": "调解团"}, members=[]
    )
    assert team.name == "调解团" and not team.members.exists()


def test_ticket_types_command_adds_only_the_missing(world, capsys):
    from django.core.management import call_command

    TicketType.objects.filter(name="诉求办理").update(name="信访诉求")
    call_command("ticket-types")
    assert "诉求办理" in capsys.readouterr().out
    assert TicketType.objects.count() == 5


def test_the_system_works_a_ticket_through_every_step_for_the_demo(world):
    at = NOW - datetime.timedelta(days=30)
    ticket = services.ticket_create(
        actor=SYSTEM, household=world.household, ticket_type=world.daily, description="修路", now=at
    )
    ticket = services.ticket_accept(actor=SYSTEM, ticket=ticket, now=at + HOUR)
    ticket = services.ticket_pass_to_team(
        actor=SYSTEM, ticket=ticket, team=world.team, now=at + 2 * HOUR
    )
    ticket = services.ticket_take(
        actor=SYSTEM, ticket=ticket, member=world.team_member, now=at + 3 * HOUR
    )
    ticket = services.ticket_resolve(
        actor=SYSTEM, ticket=ticket, resolution="已修", now=at + 9 * HOUR
    )
    ticket = services.ticket_rate(ticket=ticket, rating=Rating.SATISFIED, now=at + 30 * HOUR)
    assert ticket.state == TicketState.CLOSED and ticket.taken_by == world.team_member
    assert list(ticket.events.values_list("at", flat=True))[-1] == at + 30 * HOUR


def test_resolving_texts_the_rating_link_unless_told_not_to(world):
    texted = _resolved(world)
    assert texted.events.filter(kind="callback").exists()
    quiet = services.ticket_accept(actor=world.member.user, ticket=world.new_ticket())
    quiet = services.ticket_resolve(
        actor=world.member.user, ticket=quiet, resolution="补录的历史诉求", notify=False
    )
    assert not quiet.events.filter(kind="callback").exists()
