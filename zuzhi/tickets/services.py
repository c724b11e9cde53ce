"""Writes of tickets (联户服务诉求): every step of a ticket by the table in rules.py (the types
and service teams they run on: config_services.py). Each step saves the ticket, writes its
TicketEvent (办理记录) and the audit row in one transaction; a refusal names the rule (RuleRefused: 400 for a wrong state, 403 for the wrong person).

Public entry points (no account; the public pages call them, after their own checks of the
SMS-verified phone and rate limits):
- `ticket_create_public(household=, type=, description=, phone=)`: a household's request from
  its QR page, owned by its linked member;
- `ticket_rate(ticket=, rating=, comment=)`: the callback; 满意/基本满意 close the ticket,
  不满意 reopens it (办理中, reopened + 1, a new resolve deadline) for the community to check.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.errors import RuleRefused
from zuzhi.core.masking import mask_phone
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, deny, is_system, path_in, path_in_scope
from zuzhi.core.uploads import IMAGE_TYPES, upload_error
from zuzhi.households.models import Household
from zuzhi.members.models import Member
from zuzhi.members.selectors import own_member_id

from . import rules
from .models import (
    Rating,
    ServiceTeam,
    Ticket,
    TicketAttachment,
    TicketChannel,
    TicketEvent,
    TicketState,
    TicketType,
    new_callback_token,
)

# Files on a step: photos and the usual documents, at most a few per step.
TICKET_FILE_TYPES = (*IMAGE_TYPES, "pdf", "doc", "docx")
MAX_FILES_PER_STEP = 5


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now())


def _label(actor) -> str:
    if is_system(actor):
        return "系统"
    if not getattr(actor, "is_authenticated", False):
        return "群众"
    return getattr(actor, "full_name", "") or actor.get_username()


def _step(
    *,
    actor,
    ticket: Ticket,
    kind: str,
    from_state: str,
    at: datetime.datetime,
    note: str = "",
    before: dict | None = None,
    action: AuditAction = AuditAction.UPDATE,
    actor_username: str = "",
    files=(),
) -> None:
    """Save the ticket, write its step (with its files) and the audit row (inside the
    caller's transaction)."""
    ticket.save()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        from_state=from_state,
        to_state=ticket.state,
        at=at,
        actor=acting_user(actor) if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_username or _label(actor),
        note=note[:500],
    )
    for upload in files:
        TicketAttachment.objects.create(ticket=ticket, event=event, file=upload, name=upload.name)
    old, new = changed_fields(before or {}, snapshot(ticket))
    audit_record(
        actor=actor,
        action=action,
        target=ticket,
        org_path=ticket.household.community.path,
        before=old or None,
        after=new,
        message=f"诉求{rules.ACTION_LABELS[kind]}：{ticket}"
        + (f"（附件：{'、'.join(f.name for f in files)}）" if files else ""),
        actor_username=actor_username,
    )


def _files_validate(files) -> list:
    files = list(files or ())
    if len(files) > MAX_FILES_PER_STEP:
        raise ValidationError({"attachments": [f"每一步最多上传 {MAX_FILES_PER_STEP} 个附件。"]})
    errors = [e for e in (upload_error(f, types=TICKET_FILE_TYPES) for f in files) if e]
    if errors:
        raise ValidationError({"attachments": errors})
    return files


def _check(actor, ticket: Ticket, action: str) -> None:
    """The one guard of every step: refused by state (400) or by person (403)."""
    if ticket.state not in rules.TRANSITIONS or action not in rules.TRANSITIONS[ticket.state]:
        raise RuleRefused(rules.refusal(actor, ticket, action))
    why = rules.refusal(actor, ticket, action)
    if why:
        raise RuleRefused(why, status=403)


def _new_ticket(
    *, household: Household, ticket_type: TicketType, description: str, phone: str, channel, now
) -> Ticket:
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = ["请填写诉求内容。"]
    if not ticket_type.active:
        errors["type"] = ["该诉求类型已停用。"]
    if household.member_id is None:
        errors["household"] = ["该户尚未确定联系党员，请社区先为其联系党员。"]
    if errors:
        raise ValidationError(errors)
    ticket = Ticket(
        household=household,
        type=ticket_type,
        channel=channel,
        description=description,
        contact_phone=(phone or household.phone or "").strip(),
        member_id=household.member_id,
        created_at=now,
        accept_due=now + datetime.timedelta(hours=ticket_type.accept_hours),
        resolve_due=now + datetime.timedelta(hours=ticket_type.resolve_hours),
    )
    ticket.full_clean()
    return ticket


def ticket_create(
    *,
    actor,
    household: Household,
    ticket_type: TicketType,
    description: str,
    phone: str = "",
    now: datetime.datetime | None = None,
    attachments=(),
) -> Ticket:
    """A request entered by the household's linked member (代录) or by the community (社区录入):
    owned by the linked member, deadlines from the type; photos optional."""
    now = _now(now)
    files = _files_validate(attachments)
    member_id = own_member_id(actor)
    if member_id is not None and household.member_id == member_id:
        channel = TicketChannel.MEMBER
    elif path_in_scope(actor, household.community.path):
        channel = TicketChannel.COMMUNITY
    else:
        raise deny(actor, target=household, message="试图为不可见的联系户提交诉求")
    ticket = _new_ticket(
        household=household,
        ticket_type=ticket_type,
        description=description,
        phone=phone,
        channel=channel,
        now=now,
    )
    with transaction.atomic():
        _step(
            actor=actor,
            ticket=ticket,
            kind="create",
            from_state="",
            at=now,
            action=AuditAction.CREATE,
            files=files,
        )
    return ticket


def ticket_create_public(
    *,
    household: Household,
    ticket_type: TicketType,
    description: str,
    phone: str,
    now: datetime.datetime | None = None,
    attachments=(),
) -> Ticket:
    """A household's own request from its QR page (群众扫码提交), photos optional. The caller
    (the public page) has verified `phone` by SMS and applied the rate limits; no account
    acts."""
    now = _now(now)
    files = _files_validate(attachments)
    ticket = _new_ticket(
        household=household,
        ticket_type=ticket_type,
        description=description,
        phone=phone,
        channel=TicketChannel.HOUSEHOLD,
        now=now,
    )
    with transaction.atomic():
        _step(
            actor=None,
            ticket=ticket,
            kind="create",
            from_state="",
            at=now,
            action=AuditAction.CREATE,
            actor_username=f"群众（{mask_phone(phone)}）" if phone else "群众（扫码）",
            files=files,
        )
    return ticket


def _transition(
    *, actor, ticket: Ticket, action: str, now, note: str = "", change=None, attachments=()
) -> Ticket:
    """Lock the ticket, check the table, apply `change`, move to the table's target state;
    `attachments` (uploaded files, optional) go with the step."""
    now = _now(now)
    files = _files_validate(attachments)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        # The household and its community travel with the caller's object (no new queries).
        locked.household = ticket.household
        _check(actor, locked, action)
        before = snapshot(locked)
        from_state = locked.state
        if change:
            change(locked, now)
        if action in rules.TARGET:
            locked.state = rules.TARGET[action]
        _step(
            actor=actor,
            ticket=locked,
            kind=action,
            from_state=from_state,
            at=now,
            note=note,
            before=before,
            files=files,
        )
    return locked


def ticket_accept(*, actor, ticket: Ticket, note: str = "", now=None) -> Ticket:
    def change(t, at):
        t.accepted_at = at

    return _transition(
        actor=actor, ticket=ticket, action="accept", now=now, note=note, change=change
    )


def ticket_start(*, actor, ticket: Ticket, note: str = "", now=None) -> Ticket:
    return _transition(actor=actor, ticket=ticket, action="start", now=now, note=note)


def ticket_pass_to_team(
    *, actor, ticket: Ticket, team: ServiceTeam, note: str = "", now=None
) -> Ticket:
    """Pass to a service team: its leader owns the ticket until a team member takes it. The
    owner passes it to a team of their own joint (general) branch; the community to any."""
    if not team.active:
        raise RuleRefused("该服务团队已停用。")
    mine = rules.relations(actor, ticket)
    if rules.COMMUNITY not in mine and rules.OWNER in mine:
        owner_path = ticket.member.organization.path
        if not path_in(owner_path, team.organization.path):
            raise RuleRefused("只能转给本人所在联合党组织的服务团队。")

    def change(t, at):
        t.team, t.member_id, t.taken_by = team, team.leader_id, None

    return _transition(
        actor=actor,
        ticket=ticket,
        action="pass_to_team",
        now=now,
        note=note or f"转{team.name}",
        change=change,
    )


def ticket_take(
    *, actor, ticket: Ticket, note: str = "", now=None, member: Member | None = None
) -> Ticket:
    """A member of the team (or its leader) takes the ticket: they own it from now on. The
    system (the demo seeder) names the team member who takes it."""
    member_id = member.pk if member is not None and is_system(actor) else own_member_id(actor)

    def change(t, at):
        if member_id is None:  # only the system reaches here without a member of its own
            raise ValidationError({"member": ["请指定承接的团队成员。"]})
        t.taken_by_id = t.member_id = member_id

    return _transition(actor=actor, ticket=ticket, action="take", now=now, note=note, change=change)


def ticket_resolve(
    *, actor, ticket: Ticket, resolution: str, now=None, attachments=(), notify: bool = True
) -> Ticket:
    """Resolve (办结) with what was done; the household is texted the rating link unless
    `notify` is off (history entered after the fact: nobody is asked about last spring)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": ["请填写办理结果。"]})

    def change(t, at):
        t.resolution, t.resolved_at = resolution[:2000], at
        t.accepted_at = t.accepted_at or at

    resolved = _transition(
        actor=actor,
        ticket=ticket,
        action="resolve",
        now=now,
        note=resolution,
        change=change,
        attachments=attachments,
    )
    if notify:
        # The household is asked how satisfied it is (回访); the text leaves on commit.
        from .public import callback_send

        callback_send(ticket=resolved, now=resolved.resolved_at)
    return resolved


def ticket_reassign(*, actor, ticket: Ticket, member: Member, note: str = "", now=None) -> Ticket:
    """The community gives the ticket to another member (with a login to work it): the team
    lets go of it; a ticket with a team goes back to 办理中, the others keep their state."""
    if member.user_id is None:
        raise ValidationError({"member": ["该党员尚未开通本人账号，无法办理诉求。"]})
    if member.pk == ticket.member_id:
        raise ValidationError({"member": ["该诉求已由这名党员负责。"]})

    def change(t, at):
        t.member, t.team, t.taken_by = member, None, None
        if t.state == TicketState.WITH_TEAM:
            t.state = TicketState.IN_PROGRESS

    return _transition(
        actor=actor,
        ticket=ticket,
        action="reassign",
        now=now,
        note=note or f"改派给{member.name}",
        change=change,
    )


def ticket_close(*, actor, ticket: Ticket, note: str, now=None) -> Ticket:
    """The community closes a ticket: a duplicate or withdrawn request, or one whose callback
    was made by phone. The reason is required."""
    if not (note or "").strip():
        raise ValidationError({"note": ["请填写关闭原因。"]})

    def change(t, at):
        t.closed_at = at

    return _transition(
        actor=actor, ticket=ticket, action="close", now=now, note=note.strip(), change=change
    )


def ticket_attach(*, actor, ticket: Ticket, attachments, note: str = "", now=None) -> Ticket:
    """Photos or documents (and a note) added to a ticket without moving it (补充材料): the
    owner's, the team's or the community's, until the ticket is closed."""
    if not attachments:
        raise ValidationError({"attachments": ["请选择要上传的附件。"]})
    return _transition(
        actor=actor, ticket=ticket, action="attach", now=now, note=note, attachments=attachments
    )


def ticket_rate(
    *, ticket: Ticket, rating: str, comment: str = "", now=None, token: str | None = None
) -> Ticket:
    """The household's rating on the callback page (回访评价): 满意 or 基本满意 close the ticket;
    不满意 reopens it to 办理中 with a fresh resolve deadline for the community to check, and a
    new callback link for the next resolution. Only a resolved ticket is rated; `token`, the
    link's, must still be the ticket's (a link rates once)."""
    if rating not in Rating.values:
        raise ValidationError({"rating": ["请选择满意、基本满意或不满意。"]})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": ["评价意见不能超过 500 字。"]})
    now = _now(now)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("type").get(pk=ticket.pk)
        locked.household = ticket.household
        if token is not None and locked.callback_token != token:
            raise RuleRefused("该回访链接已使用。")
        if locked.state != TicketState.RESOLVED:
            raise RuleRefused("该诉求不在待回访状态，不能评价。")
        before = snapshot(locked)
        locked.rating, locked.rating_comment, locked.rated_at = rating, comment, now
        if rating == Rating.UNSATISFIED:
            kind = "reopen"
            locked.state = TicketState.IN_PROGRESS
            locked.reopened += 1
            locked.resolved_at = None
            locked.resolve_due = now + datetime.timedelta(hours=locked.type.resolve_hours)
            locked.callback_token = new_callback_token()
        else:
            kind = "rate"
            locked.state, locked.closed_at = TicketState.CLOSED, now
        _step(
            actor=None,
            ticket=locked,
            kind=kind,
            from_state=TicketState.RESOLVED,
            at=now,
            note=(
                f"群众不满意，重新办理，请社区核查。{comment}"
                if rating == Rating.UNSATISFIED
                else f"{Rating(rating).label}{'：' + comment if comment else ''}"
            )[:500],
            before=before,
            actor_username="群众（回访）",
        )
    return locked
