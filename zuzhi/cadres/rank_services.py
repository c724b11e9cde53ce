"""Writes of ranks (职级), staff grades (职员等级) and unit establishments (编制数).

Every write is the cadre section's (干部科) of the unit's subtree, checked first, audited in
its own transaction. `Cadre.rank` / `rank_since` (and the staff grade pair) are the latest
grant, kept here and nowhere else, so a quota is one indexed count per unit and group.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user
from zuzhi.orgs.models import Organization

from . import rank_rules
from .models import Cadre, Rank, RankGrant, StaffGrade, StaffGradeGrant, UnitEstablishment
from .models.scoping import require_cadre_section

SCOPE_REFUSED = "试图修改权限范围以外的干部职级"
MAX_POSTS = 100_000


def _refuse(field: str, message: str) -> None:
    raise ValidationError({field: [message]})


def _check_date(field: str, day: datetime.date | None) -> None:
    if day is None:
        _refuse(field, "请填写日期。")
    if not is_plausible(day):
        _refuse(field, OUT_OF_RANGE)
    if day > timezone.localdate():
        _refuse(field, "日期不能晚于今天。")


def _lock_cadre(cadre: Cadre) -> Cadre:
    # `of`: the cadre's row only, not the organization joined in (PostgreSQL).
    return (
        Cadre.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=cadre.pk)
    )


def _grants(cadre: Cadre):
    return RankGrant.objects.filter(cadre=cadre).order_by("-reached_on", "-pk")


def _keep_current_rank(cadre: Cadre) -> dict:
    """Copy the latest grant to the cadre; return the change for the audit row."""
    latest = _grants(cadre).first()
    before = {"rank": cadre.rank, "rank_since": cadre.rank_since}
    cadre.rank = latest.rank if latest else ""
    cadre.rank_since = latest.reached_on if latest else None
    cadre.save(update_fields=["rank", "rank_since", "updated_at"])
    after = {"rank": cadre.rank, "rank_since": cadre.rank_since}
    return {
        "before": {k: str(v or "") for k, v in before.items()},
        "after": {k: str(v or "") for k, v in after.items()},
    }


def _lock_establishment(unit: Organization) -> UnitEstablishment | None:
    """The unit's establishment, locked: two grants racing for the last place of a quota
    are serialized on this row (FOR UPDATE on PostgreSQL; on SQLite every write transaction
    is IMMEDIATE and so serialized already), and each counts holders after the lock."""
    return UnitEstablishment.objects.select_for_update().filter(organization_id=unit.pk).first()


def _check_quota(cadre: Cadre, group, establishment: UnitEstablishment | None) -> None:
    """Refuse when one more holder of the group would put the unit over its quota."""
    unit = cadre.organization
    if establishment is None:
        _refuse(
            "rank",
            f"{unit.name}尚未设置公务员编制数，无法核定{group.label}职数；请先设置编制数。",
        )
    others = (
        Cadre.objects.filter(organization_id=unit.pk, is_active=True, rank__in=group.ranks)
        .exclude(pk=cadre.pk)
        .count()
    )
    message = rank_rules.quota_refusal(
        group=group, posts=establishment.posts, others=others, unit=unit.name
    )
    if message:
        _refuse("rank", message)


def quota_room_check(*, cadre: Cadre, unit: Organization) -> None:
    """Refuse bringing a cadre who holds a rank of a quota group into `unit` (a move, or a
    return to active service) when the unit's quota of that group is full. Call inside the
    writing transaction: the unit's establishment stays locked until it commits."""
    group = rank_rules.quota_group(cadre.rank) if cadre.rank else None
    if group is None:
        return
    establishment = _lock_establishment(unit)
    _check_quota(Cadre(pk=cadre.pk, organization=unit), group, establishment)


def _previous_rank(cadre: Cadre) -> tuple[str, datetime.date | None] | None:
    """The rank a new grant promotes from: the latest grant, or else the rank the record
    came with (an imported appointment form) if any."""
    latest = _grants(cadre).first()
    if latest:
        return latest.rank, latest.reached_on
    if cadre.rank:
        return cadre.rank, cadre.rank_since
    return None


def rank_grant(
    *, actor, cadre: Cadre, rank: str, reached_on: datetime.date, document: str = ""
) -> RankGrant:
    """Record a rank reached (晋升职级). The first rank of a cadre with none is recorded as
    it is; later ones go one step up after the minimum years in the rank below, and never
    past the unit's quota."""
    require_cadre_section(actor, cadre.organization.path, target=cadre, message=SCOPE_REFUSED)
    if rank not in Rank.values:
        _refuse("rank", "请选择职级。")
    _check_date("reached_on", reached_on)
    with transaction.atomic():
        # Every grant locks the establishment before the cadre: two grants never wait on
        # each other crosswise.
        group = rank_rules.quota_group(rank)
        establishment = _lock_establishment(cadre.organization) if group else None
        cadre = _lock_cadre(cadre)
        if not cadre.is_active:
            _refuse("rank", f"{cadre.name}已不在职，不能晋升职级。")
        previous = _previous_rank(cadre)
        recording_imported = previous is not None and not _grants(cadre).exists()
        if previous and not (recording_imported and previous[0] == rank):
            message = rank_rules.promotion_refusal(
                current=previous[0], current_since=previous[1], rank=rank, on=reached_on
            )
            if message:
                _refuse("rank", message)
        if group:
            _check_quota(cadre, group, establishment)
        grant = RankGrant(
            cadre=cadre,
            rank=rank,
            reached_on=reached_on,
            document=document.strip(),
            granted_by=acting_user(actor),
        )
        grant.full_clean(exclude=["granted_by"])  # None when the system grants
        grant.save()
        change = _keep_current_rank(cadre)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=grant,
            org_path=cadre.organization.path,
            before={"cadre": change["before"]},
            after={**snapshot(grant), "cadre": change["after"]},
            message=f"{cadre.name} 晋升{grant.get_rank_display()}",
        )
    return grant


def rank_grant_correct(
    *, actor, grant: RankGrant, reached_on: datetime.date, document: str
) -> RankGrant:
    """Correct the date or the approval number of a recorded rank (更正). A wrong rank is
    deleted and granted again, so it passes every rule. The corrected date still keeps the
    minimum years after the grant before it and before the grant after it."""
    cadre = grant.cadre
    require_cadre_section(actor, cadre.organization.path, target=cadre, message=SCOPE_REFUSED)
    _check_date("reached_on", reached_on)
    with transaction.atomic():
        cadre = _lock_cadre(cadre)
        grant = RankGrant.objects.get(pk=grant.pk, cadre=cadre)
        before = snapshot(grant)
        chain = list(_grants(cadre).exclude(pk=grant.pk).order_by("reached_on", "pk"))
        lower = [
            g
            for g in chain
            if rank_rules.rank_position(g.rank) < rank_rules.rank_position(grant.rank)
        ]
        higher = [
            g
            for g in chain
            if rank_rules.rank_position(g.rank) > rank_rules.rank_position(grant.rank)
        ]
        if lower:
            earliest = rank_rules.earliest_promotion(lower[-1].reached_on, grant.rank)
            if reached_on < earliest:
                _refuse(
                    "reached_on",
                    f"晋升{grant.get_rank_display()}应在{lower[-1].get_rank_display()}任职满"
                    f"{rank_rules.minimum_years(grant.rank)}年，最早为 {earliest:%Y-%m-%d}。",
                )
        if (
            higher
            and rank_rules.earliest_promotion(reached_on, higher[0].rank) > higher[0].reached_on
        ):
            _refuse(
                "reached_on",
                f"更正后，{higher[0].get_rank_display()}（{higher[0].reached_on:%Y-%m-%d}）"
                f"将不满在{grant.get_rank_display()}任职{rank_rules.minimum_years(higher[0].rank)}年的规定。",
            )
        grant.reached_on = reached_on
        grant.document = document.strip()
        grant.full_clean(exclude=["granted_by"])
        grant.save()
        change = _keep_current_rank(cadre)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=grant,
            org_path=cadre.organization.path,
            before={**before, "cadre": change["before"]},
            after={**snapshot(grant), "cadre": change["after"]},
            message=f"更正 {cadre.name} 的{grant.get_rank_display()}记录",
        )
    return grant


def rank_grant_delete(*, actor, grant: RankGrant) -> None:
    """Delete a wrongly recorded rank; the current rank falls back to the latest left."""
    cadre = grant.cadre
    require_cadre_section(actor, cadre.organization.path, target=cadre, message=SCOPE_REFUSED)
    with transaction.atomic():
        cadre = _lock_cadre(cadre)
        grant = RankGrant.objects.get(pk=grant.pk, cadre=cadre)
        before, label = snapshot(grant), grant.get_rank_display()
        target_repr = str(grant)
        grant.delete()
        change = _keep_current_rank(cadre)
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target_type=RankGrant._meta.label_lower,
            target_id=str(before["id"]),
            target_repr=target_repr,
            org_path=cadre.organization.path,
            before={**before, "cadre": change["before"]},
            after={"cadre": change["after"]},
            message=f"删除 {cadre.name} 的{label}记录",
        )


def staff_grade_set(
    *, actor, cadre: Cadre, grade: str, reached_on: datetime.date
) -> StaffGradeGrant:
    """Record a public-institution staff grade reached (职员等级); the latest is current."""
    require_cadre_section(actor, cadre.organization.path, target=cadre, message=SCOPE_REFUSED)
    if grade not in StaffGrade.values:
        _refuse("grade", "请选择职员等级。")
    _check_date("reached_on", reached_on)
    with transaction.atomic():
        cadre = _lock_cadre(cadre)
        before = {
            "staff_grade": cadre.staff_grade,
            "staff_grade_since": str(cadre.staff_grade_since or ""),
        }
        grant = StaffGradeGrant.objects.create(cadre=cadre, grade=grade, reached_on=reached_on)
        latest = StaffGradeGrant.objects.filter(cadre=cadre).order_by("-reached_on", "-pk").first()
        cadre.staff_grade, cadre.staff_grade_since = latest.grade, latest.reached_on
        cadre.save(update_fields=["staff_grade", "staff_grade_since", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=grant,
            org_path=cadre.organization.path,
            before={"cadre": before},
            after={
                **snapshot(grant),
                "cadre": {
                    "staff_grade": cadre.staff_grade,
                    "staff_grade_since": str(cadre.staff_grade_since),
                },
            },
            message=f"{cadre.name} 任{grant.get_grade_display()}",
        )
    return grant


def establishment_set(*, actor, organization: Organization, posts: int) -> UnitEstablishment:
    """Set a unit's civil-service posts (公务员编制数), what its rank quotas are shares of.
    Lowering it below what is held is allowed (the quota page then shows the unit over)."""
    require_cadre_section(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    if posts is None or not 0 <= posts <= MAX_POSTS:
        _refuse("posts", f"编制数应为 0 到 {MAX_POSTS} 之间的整数。")
    with transaction.atomic():
        establishment = (
            UnitEstablishment.objects.select_for_update().filter(organization=organization).first()
        )
        before = snapshot(establishment) if establishment else None
        if establishment is None:
            establishment = UnitEstablishment(organization=organization)
        establishment.posts = posts
        establishment.full_clean()
        establishment.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=establishment,
            org_path=organization.path,
            before=before,
            after=snapshot(establishment),
            message=f"{organization.name} 公务员编制数设为 {posts}",
        )
    return establishment
