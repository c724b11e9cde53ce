"""A branch's committee (支部委员会): who holds which seat, from when to when. Appointing and
ending a term are audited; the roster is what a committee meeting lists as attendees and what
health checks and cadre work read."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import require_in_scope
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES

from .models import CommitteePosition, CommitteeSeat, Organization
from .services import org_secretary_follow_roster

# Seats held by one person at a time; a committee may have several deputies and 委员.
SINGLE_SEATS = frozenset(CommitteePosition.values) - {
    CommitteePosition.DEPUTY_SECRETARY,
    CommitteePosition.MEMBER,
}
SCOPE_REFUSED = "试图修改权限范围以外组织的支部委员会"


def _position_order():
    return Case(
        *[When(position=v, then=Value(i)) for i, v in enumerate(CommitteePosition.values)],
        output_field=IntegerField(),
    )


# --- reads -----------------------------------------------------------------------------------
def committee_roster(
    *, user, organization: Organization, on: datetime.date | None = None
) -> QuerySet[CommitteeSeat]:
    """The seats held on `on` (today by default), 书记 first, in the user's scope."""
    on = on or timezone.localdate()
    return (
        CommitteeSeat.objects.visible_to(user)
        .filter(organization=organization, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("member")
        .order_by(_position_order(), "started_on", "pk")
    )


def committee_history(*, user, organization: Organization) -> QuerySet[CommitteeSeat]:
    """Ended terms, the latest first (历届委员)."""
    return (
        CommitteeSeat.objects.visible_to(user)
        .filter(organization=organization, ended_on__isnull=False)
        .select_related("member")
        .order_by("-ended_on", _position_order(), "pk")
    )


def committee_member_ids(*, organization: Organization, day: datetime.date) -> set[int]:
    """Members seated on the committee on `day` (the rule's own read, not a page's: no user)."""
    return set(
        CommitteeSeat.objects.filter(organization=organization, started_on__lte=day)
        .exclude(ended_on__lte=day)
        .values_list("member_id", flat=True)
    )


def committee_seat_get(*, user, pk) -> CommitteeSeat:
    return CommitteeSeat.objects.select_related("organization", "member").get_visible_or_404(
        user, pk=pk
    )


# --- writes ----------------------------------------------------------------------------------
def committee_appoint(
    *,
    actor,
    organization: Organization,
    member: Member,
    position: str,
    started_on: datetime.date | None,
) -> CommitteeSeat:
    """Seat a member of the branch on its committee (任命支部委员)."""
    require_in_scope(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if organization.org_type not in MEMBER_ORG_TYPES:
        errors["organization"] = ["支部委员会只在党支部（党总支）设立。"]
    if member.organization_id != organization.pk:
        errors["member"] = ["支部委员应从本支部党员中选任。"]
    if position not in CommitteePosition.values:
        errors["position"] = ["请选择职务。"]
    if started_on is None:
        errors["started_on"] = ["请填写任职日期。"]
    elif not is_plausible(started_on):
        errors["started_on"] = [OUT_OF_RANGE]
    current = CommitteeSeat.objects.filter(organization=organization, ended_on__isnull=True)
    if not errors and current.filter(member=member).exists():
        errors["member"] = [f"{member.name}已在本届支部委员会任职，请先免去原职务。"]
    if not errors and position in SINGLE_SEATS and current.filter(position=position).exists():
        label = CommitteePosition(position).label
        errors["position"] = [f"本支部已有在任{label}，请先免去其职务。"]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            seat = CommitteeSeat.objects.create(
                organization=organization, member=member, position=position, started_on=started_on
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=seat,
                org_path=organization.path,
                after=snapshot(seat) | {"member": member.name},
                message=f"任命{member.name}为{seat.get_position_display()}",
            )
            if position == CommitteePosition.SECRETARY:
                org_secretary_follow_roster(actor=actor, organization=organization)
    except IntegrityError as exc:  # a concurrent appointment took the seat first
        raise ValidationError({"position": ["该职务或该党员刚被任命，请刷新后重试。"]}) from exc
    return seat


def committee_end_term(
    *, actor, seat: CommitteeSeat, ended_on: datetime.date | None
) -> CommitteeSeat:
    """End a member's term in a seat (免职或任期届满); the seat stays in the history."""
    organization = seat.organization
    require_in_scope(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    errors: dict[str, list[str]] = {}
    if seat.ended_on is not None:
        errors["ended_on"] = ["该任职已经结束。"]
    elif ended_on is None:
        errors["ended_on"] = ["请填写离任日期。"]
    elif not is_plausible(ended_on):
        errors["ended_on"] = [OUT_OF_RANGE]
    elif ended_on < seat.started_on:
        errors["ended_on"] = ["离任日期不能早于任职日期。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(seat, ["ended_on"])
        seat.ended_on = ended_on
        seat.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=seat,
            org_path=organization.path,
            before=before,
            after=snapshot(seat, ["ended_on"]),
            message=f"{seat.member.name}不再担任{seat.get_position_display()}",
        )
        if seat.position == CommitteePosition.SECRETARY:
            org_secretary_follow_roster(actor=actor, organization=organization)
    return seat
