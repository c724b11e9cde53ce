"""The rules every part of the contest engine (考评竞赛) shares, lowest in the package: who may
organize and manage a contest, which entrants a user may act for, what is still editable, and
whether a public vote is open. Services and selectors both import from here; nothing here
imports them.

Two kinds of contest, told apart by the track: an organization track (villages, townships,
members…) is run by the data roles whose scope holds the organizer, and a township acts for its
own entrants in a county contest; the talent track (人才评选: 拔尖人才, 回创之星) is run by the
talent office (人才办) over the organizer alone, and nobody else sees its entrants or rows.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    deny,
    is_system,
    overlapping_scope_q,
    path_in,
    path_in_scope,
    require_in_scope,
    role_paths,
    scope_q,
    user_scope_paths,
)
from zuzhi.orgs.models import Organization, UnitCategory
from zuzhi.talent.scoping import in_talent_office, is_talent_staff, talent_office_q

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


def manages(user, contest: Contest) -> bool:
    """Whether the user runs the contest (主办方): sets it up, enters and sees every entrant,
    seats judges, computes and publishes. A talent-track contest: the talent office over its
    organizer, and nobody else; any other: a data role whose scope holds the organizer."""
    if contest.organization is None:
        return False
    if contest.track == Track.TALENT:
        return in_talent_office(user, contest.organization.path)
    return path_in_scope(user, contest.organization.path)


def can_manage(user, contest: Contest) -> bool:
    return not contest.is_template and manages(user, contest)


def acts_for(user, entrant: Entrant) -> bool:
    """Whether the user may act for the entrant (its data, items and rows): a talent entrant
    only its contest's manager; an organization (or a member) whoever's scope holds it."""
    if entrant.talent_id is not None:
        return manages(user, entrant.contest)
    return path_in_scope(user, entrant.organization.path)


def entrant_scope_q(user, prefix: str = "") -> Q | None:
    """`acts_for` as a filter on entrants (`prefix` "entrant__" on the rows hanging on one),
    for reads across contests; None when the user acts for none. A talent entrant (its
    organization the organizer, the county node) is the talent office's alone."""
    path = f"{prefix}organization__path"
    talent_null = f"{prefix}talent__isnull"
    q = None
    if (scope := scope_q(user, path)) is not None:
        q = scope & Q(**{talent_null: True})
    if (office := talent_office_q(user, path)) is not None:
        office &= Q(**{talent_null: False})
        q = office if q is None else q | office
    return q


def contest_reach_q(user) -> Q | None:
    """Contests that concern the user through their work (judges aside): an organization track
    organized in or above their scope (a county contest concerns a township for its own
    entrants), a talent track organized inside their talent office; None for none."""
    q = None
    if (scope := overlapping_scope_q(user, "organization__path")) is not None:
        q = scope & ~Q(track=Track.TALENT)
    if (office := talent_office_q(user, "organization__path")) is not None:
        office &= Q(track=Track.TALENT)
        q = office if q is None else q | office
    return q


def creatable_tracks(user) -> list[tuple[str, str]]:
    """The tracks the user may set up a contest on (新建考评): the talent track for the talent
    office, the organization tracks for the data roles."""
    tracks = []
    if user_scope_paths(user):
        tracks += [(v, label) for v, label in Track.choices if v != Track.TALENT]
    if is_talent_staff(user):
        tracks.append((Track.TALENT.value, Track.TALENT.label))
    return tracks


def require_organizer(actor, organization: Organization, track: str = "") -> None:
    """Who may set up a contest (主办考评): county staff for any node of their county, township
    staff only for their own township's contests (organized by the township itself); a branch
    secretary never. The talent track: only the talent office, on its own county node. Outside
    the actor's reach is the logged 404, as everywhere."""
    if track == Track.TALENT:
        if organization.path in role_paths(actor, Role.TALENT_STAFF) or is_system(actor):
            return
        if in_talent_office(actor, organization.path) or path_in_scope(actor, organization.path):
            raise ValidationError({"track": ["人才评选由县委组织部人才办主办，主办单位为本县。"]})
        raise deny(actor, target=organization, message="试图为权限范围以外的组织设立人才评选")
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
    if not manages(actor, contest):
        raise deny(actor, target=contest, message="试图管理权限范围以外的考评竞赛")


def require_entrant_scope(actor, entrant: Entrant) -> None:
    if not acts_for(actor, entrant):
        raise deny(actor, target=entrant, message="试图办理权限范围以外的参评对象")


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
