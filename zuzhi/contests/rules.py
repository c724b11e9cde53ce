"""The rules every part of the contest engine (考评竞赛) shares, lowest in the package: who may
organize and manage a contest, which entrants a user may act for, what is still editable, and
whether a public vote is open. Services and selectors both import from here; nothing here
imports them.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.roles import Role
from zuzhi.core.scope import path_in, path_in_scope, require_in_scope, role_paths
from zuzhi.orgs.models import Organization, UnitCategory

from .models import Contest, ContestStatus, Entrant, Stage, StageKind, Track

# Which organizations may enter a track: villages and communities compete as villages, etc.
TRACK_UNITS = {
    Track.VILLAGE: {UnitCategory.VILLAGE, UnitCategory.COMMUNITY},
    Track.TOWNSHIP: {UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT},
    Track.COUNTY_UNIT: {
        UnitCategory.GOVERNMENT,
        UnitCategory.PUBLIC_INSTITUTION,
        UnitCategory.STATE_ENTERPRISE,
    },
}
EDITABLE = (ContestStatus.DRAFT, ContestStatus.RUNNING, ContestStatus.REVISING)
# Values are kept in ten-thousandths in a 64-bit integer and scored by integer arithmetic
# that multiplies them by up to 2·10⁴: below 10⁹ nothing can overflow.
MAX_INDICATOR_VALUE = 10**9
MAX_PROBLEMS = 20


def can_manage(user, contest: Contest) -> bool:
    return not contest.is_template and path_in_scope(user, contest.organization.path)


def require_organizer(actor, organization: Organization) -> None:
    """Who may set up a contest (主办考评): county staff for any node of their county, township
    staff only for their own township's contests (organized by the township itself); a branch
    secretary never. Outside the actor's scope is the logged 404, as everywhere."""
    require_in_scope(
        actor, organization.path, target=organization, message="试图为权限范围以外的组织设立考评"
    )
    if any(path_in(organization.path, root) for root in role_paths(actor, Role.COUNTY_STAFF)):
        return
    if organization.path in role_paths(actor, Role.TOWNSHIP_STAFF):
        return
    raise ValidationError(
        "考评竞赛由县委组织部主办，乡镇（街道）党委可主办本乡镇的考评；党支部不能设立考评。"
    )


def require_manager(actor, contest: Contest) -> None:
    if contest.is_template:
        raise ValidationError("模板不能直接使用，请先复制为新的考评竞赛。")
    require_in_scope(
        actor, contest.organization.path, target=contest, message="试图管理权限范围以外的考评竞赛"
    )


def require_entrant_scope(actor, entrant: Entrant) -> None:
    require_in_scope(
        actor, entrant.organization.path, target=entrant, message="试图办理权限范围以外的参评对象"
    )


def require_editable(contest: Contest) -> None:
    if contest.status not in EDITABLE:
        raise ValidationError("结果已发布，数据已锁定；如需更正，请先发起更正（生成新版本）。")


def eligible(contest: Contest, organization: Organization) -> bool:
    """Whether the organization's kind may enter the contest's track (参评类别)."""
    units = TRACK_UNITS.get(contest.track)
    return units is None or organization.unit_category in units


def under_organizer(contest: Contest, organization: Organization) -> bool:
    return organization.path.startswith(contest.organization.path)


def public_vote_stage(contest: Contest) -> Stage | None:
    return contest.stages.filter(kind=StageKind.PUBLIC_VOTE).first()


def voting_state(stage: Stage) -> str:
    """Why voting is closed, or "" while it is open."""
    now = timezone.now()
    if stage.contest.status in (ContestStatus.PUBLISHED, ContestStatus.REVISING):
        return "投票已经结束。"
    if stage.contest.status != ContestStatus.RUNNING:
        return "投票未开放。"
    if stage.vote_opens_at and now < stage.vote_opens_at:
        return f"投票将于 {timezone.localtime(stage.vote_opens_at):%Y-%m-%d %H:%M} 开始。"
    if stage.vote_closes_at and now >= stage.vote_closes_at:
        return "投票已经结束。"
    return ""


def audit(actor, action, target, contest: Contest, **kwargs) -> None:
    """An audit row filed under the contest's organizer."""
    audit_record(
        actor=actor, action=action, target=target, org_path=contest.organization.path, **kwargs
    )


def parse_decimal(value, field: str, errors: dict, *, label: str) -> Decimal | None:
    """A finite Decimal, or None with "<label>应为数字。" added to errors[field]."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(f"{label}应为数字。")
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(f"{label}应为数字。")
        return None
    return number
