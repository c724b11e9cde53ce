"""The set-up tickets (联户服务诉求) run on: the county's request types with their deadlines
(诉求类型) and the joint branches' service teams (服务团队). Each write audited; the county
edits types, a joint (general) branch or anyone above it edits its teams."""

from django.core.exceptions import ValidationError
from django.db import transaction

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, has_role, is_system, path_in, path_in_scope
from zuzhi.members.models import Member

from . import rules
from .models import ServiceTeam, TicketType

# The default types and deadlines (hours): accepting within a working day everywhere; an
# everyday errand done in 3 days, an errand run for the household in 5, a dispute mediated in
# 7, an appeal handled in 15 (the usual 12345 hotline terms). The county edits them.
DEFAULT_TICKET_TYPES: tuple[tuple[str, int, int], ...] = (
    ("日常生活", 24, 72),
    ("事项代办", 24, 120),
    ("矛盾调解", 24, 168),
    ("诉求办理", 24, 360),
)

TYPES_REFUSED = "试图修改诉求类型（仅县委组织部）"
TEAMS_REFUSED = "试图修改服务团队（仅其所在联合党组织或上级）"


# --- types -----------------------------------------------------------------------------------
def may_edit_types(user) -> bool:
    return is_system(user) or has_role(user, Role.COUNTY_STAFF)


def _require_type_editor(actor, target=None) -> None:
    if not may_edit_types(actor):
        raise deny(actor, target=target, message=TYPES_REFUSED)


def _type_validate(ticket_type: TicketType) -> None:
    errors = {}
    if not 1 <= ticket_type.accept_hours <= 24 * 30:
        errors["accept_hours"] = ["受理时限应在 1 至 720 小时之间。"]
    if not 1 <= (ticket_type.resolve_hours or 0) <= 24 * 180:
        errors["resolve_hours"] = ["办结时限应在 1 至 4320 小时之间。"]
    elif ticket_type.resolve_hours < ticket_type.accept_hours:
        errors["resolve_hours"] = ["办结时限不能短于受理时限。"]
    if errors:
        raise ValidationError(errors)
    ticket_type.full_clean()


def ticket_type_create(
    *, actor, name: str, accept_hours: int, resolve_hours: int, order: int = 0
) -> TicketType:
    _require_type_editor(actor)
    ticket_type = TicketType(
        name=name, accept_hours=accept_hours, resolve_hours=resolve_hours, order=order
    )
    _type_validate(ticket_type)
    with transaction.atomic():
        ticket_type.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=ticket_type,
            after=snapshot(ticket_type),
            message=f"新增诉求类型：{ticket_type}",
        )
    return ticket_type


def ticket_type_update(*, actor, ticket_type: TicketType, data: dict) -> TicketType:
    """Change a type's name, deadlines, order or switch it off; open tickets keep the
    deadlines they were given when they were created."""
    _require_type_editor(actor, target=ticket_type)
    before = snapshot(ticket_type)
    for field in ("name", "accept_hours", "resolve_hours", "order", "active"):
        if field in data:
            setattr(ticket_type, field, data[field])
    _type_validate(ticket_type)
    old, new = changed_fields(before, snapshot(ticket_type))
    if not new:
        return ticket_type
    with transaction.atomic():
        ticket_type.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=ticket_type,
            before=old,
            after=new,
            message=f"修改诉求类型：{ticket_type}",
        )
    return ticket_type


def ticket_types_load_defaults(*, actor) -> list[TicketType]:
    """Add the four default types (DEFAULT_TICKET_TYPES) that are missing by name."""
    _require_type_editor(actor)
    have = set(TicketType.objects.values_list("name", flat=True))
    return [
        ticket_type_create(actor=actor, name=name, accept_hours=a, resolve_hours=r, order=i)
        for i, (name, a, r) in enumerate(DEFAULT_TICKET_TYPES, start=1)
        if name not in have
    ]


# --- service teams ---------------------------------------------------------------------------
def _require_team_writer(actor, organization, target=None) -> None:
    if organization.org_type not in rules.TEAM_ORG_TYPES:
        raise ValidationError({"organization": ["服务团队只能建在联合党支部或联合党总支。"]})
    if not path_in_scope(actor, organization.path):
        raise deny(actor, target=target or organization, message=TEAMS_REFUSED)


def _team_members_validate(team: ServiceTeam, members: list[Member]) -> None:
    outside = [
        m.name
        for m in [team.leader, *members]
        if not path_in(m.organization.path, team.organization.path)
    ]
    if outside:
        raise ValidationError(
            {"members": [f"{'、'.join(outside)}不在本联合党组织，不能加入其服务团队。"]}
        )


def team_create(
    *, actor, organization, name: str, specialty: str, leader: Member, members: list[Member]
) -> ServiceTeam:
    """A service team of a joint (general) branch; leader and members are its own members
    (the members of its units' branches below it)."""
    _require_team_writer(actor, organization)
    team = ServiceTeam(organization=organization, name=name, specialty=specialty, leader=leader)
    team.full_clean()
    _team_members_validate(team, members)
    with transaction.atomic():
        team.save()
        team.members.set(members)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=team,
            org_path=organization.path,
            after={**snapshot(team), "members": sorted(m.pk for m in members)},
            message=f"新建服务团队：{team}",
        )
    return team


def team_update(
    *, actor, team: ServiceTeam, data: dict, members: list[Member] | None = None
) -> ServiceTeam:
    """Rename, change the leader or specialty, switch off, or set the members. Tickets the
    team holds keep their owner; the community reassigns them if needed."""
    _require_team_writer(actor, team.organization, target=team)
    before = {**snapshot(team), "members": sorted(team.members.values_list("pk", flat=True))}
    for field in ("name", "specialty", "leader", "active"):
        if field in data:
            setattr(team, field, data[field])
    team.full_clean()
    if members is None:
        members = list(team.members.select_related("organization"))
    _team_members_validate(team, members)
    after = {**snapshot(team), "members": sorted(m.pk for m in members)}
    old, new = changed_fields(before, after)
    if not new:
        return team
    with transaction.atomic():
        team.save()
        team.members.set(members)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=team,
            org_path=team.organization.path,
            before=old,
            after=new,
            message=f"修改服务团队：{team}",
        )
    return team
