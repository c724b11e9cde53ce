"""Writes to leadership teams (班子配备): teams with their defined posts, appointments (任职)
and their end (免职), and the county's structure targets. Each write checks that the actor is
the cadre section (干部科) of the unit, validates, and audits in one transaction."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import acting_user, deny, is_system, role_paths
from zuzhi.orgs.models import Organization, UnitCategory

from .models import (
    Cadre,
    LeadershipLevel,
    LeadershipTeam,
    PostHolding,
    TargetKind,
    TeamKind,
    TeamPost,
    TeamTarget,
)
from .models.scoping import in_cadre_section, require_cadre_section

SCOPE_REFUSED = "试图修改干部科权限范围以外的领导班子"
TARGETS_REFUSED = "试图修改班子结构目标（仅干部科）"
TOWNSHIP_UNITS = frozenset({UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT})
NOT_COUNTY_UNITS = TOWNSHIP_UNITS | {UnitCategory.VILLAGE, UnitCategory.COMMUNITY}


@dataclass(frozen=True)
class PostDefault:
    title: str
    seats: int
    leadership_level: str


CHIEF, DEPUTY = LeadershipLevel.TOWNSHIP_CHIEF, LeadershipLevel.TOWNSHIP_DEPUTY
# The posts a new team gets unless others are given: defaults after the usual establishment
# of a township's Party committee and government and a county unit, not a rule. "乡镇长"
# becomes 镇长 or 乡长 after the township's name.
DEFAULT_POSTS: dict[str, tuple[PostDefault, ...]] = {
    TeamKind.TOWNSHIP_COMMITTEE: (
        PostDefault("书记", 1, CHIEF),
        PostDefault("副书记（乡镇长）", 1, CHIEF),
        PostDefault("副书记", 1, DEPUTY),
        PostDefault("纪委书记", 1, DEPUTY),
        PostDefault("组织委员", 1, DEPUTY),
        PostDefault("宣传委员", 1, DEPUTY),
        PostDefault("武装部长", 1, DEPUTY),
        PostDefault("政法委员", 1, DEPUTY),
        PostDefault("统战委员", 1, DEPUTY),
    ),
    TeamKind.TOWNSHIP_GOVERNMENT: (
        PostDefault("乡镇长", 1, CHIEF),
        PostDefault("副乡镇长", 3, DEPUTY),
    ),
    TeamKind.COUNTY_UNIT: (
        PostDefault("局长（主任）", 1, CHIEF),
        PostDefault("副局长（副主任）", 3, DEPUTY),
    ),
}

# The structure targets a county starts from (defaults, each one editable on the targets
# page): at least one woman in every team, one cadre of 35 or under in each township team,
# 60 % of every team with a 本科 degree or above.
DEFAULT_TARGETS: tuple[dict, ...] = (
    {"kind": TargetKind.MIN_WOMEN, "team_kind": "", "value": 1, "label": "至少配备1名女性干部"},
    {
        "kind": TargetKind.MIN_UNDER_AGE,
        "team_kind": TeamKind.TOWNSHIP_COMMITTEE,
        "value": 1,
        "parameter": "35",
        "label": "乡镇党委班子至少配备1名35岁及以下干部",
    },
    {
        "kind": TargetKind.MIN_UNDER_AGE,
        "team_kind": TeamKind.TOWNSHIP_GOVERNMENT,
        "value": 1,
        "parameter": "35",
        "label": "乡镇政府班子至少配备1名35岁及以下干部",
    },
    {
        "kind": TargetKind.MIN_COLLEGE_SHARE,
        "team_kind": "",
        "value": 60,
        "label": "本科及以上学历占比不低于60%",
    },
)


# --- who may write ---------------------------------------------------------------------------
def _require_cadre_section(actor, path: str, *, target) -> None:
    """Only the cadre section of the unit's subtree writes teams; anyone else gets the
    logged 404 (township and county staff read teams but never change them)."""
    require_cadre_section(actor, path, target=target, message=SCOPE_REFUSED)


def _require_target_editor(actor, *, target=None) -> None:
    if not is_system(actor) and not role_paths(actor, Role.CADRE_STAFF):
        raise deny(actor, target=target, message=TARGETS_REFUSED)


def may_write_teams(user, *, team: LeadershipTeam | None = None) -> bool:
    """Whether the page shows the cadre section's forms: for `team`, or for any team."""
    if team is None:
        return bool(role_paths(user, Role.CADRE_STAFF))
    return in_cadre_section(user, team.organization.path)


def team_write_check(*, actor, team: LeadershipTeam) -> None:
    """The write check before a form is read: a team seen but not the actor's to change is
    the logged 404, whatever the form holds."""
    _require_cadre_section(actor, team.organization.path, target=team)


def holding_get_for_write(*, actor, pk: int) -> PostHolding:
    """A holding the actor may end; the logged 404 otherwise."""
    holding = (
        PostHolding.objects.select_related("organization", "cadre", "team_post")
        .filter(pk=pk)
        .first()
    )
    if holding is None:
        raise Http404("未找到该对象。")
    _require_cadre_section(actor, holding.organization.path, target=holding)
    return holding


def team_target_get_for_write(*, actor, pk: int) -> TeamTarget:
    target = TeamTarget.objects.filter(pk=pk).first()
    if target is None:
        raise Http404("未找到该对象。")
    _require_target_editor(actor, target=target)
    return target


# --- teams -----------------------------------------------------------------------------------
def _township_word(name: str) -> str:
    return "镇" if "镇" in name else "乡"


def default_posts(*, kind: str, organization: Organization) -> list[PostDefault]:
    """The default posts of a new team of `kind` (see DEFAULT_POSTS)."""
    word = _township_word(organization.name)
    return [
        PostDefault(p.title.replace("乡镇长", f"{word}长"), p.seats, p.leadership_level)
        for p in DEFAULT_POSTS.get(kind, ())
    ]


def default_team_name(*, kind: str, organization: Organization) -> str:
    """The unit's name as a post text starts with it: 城关镇党委, 城关镇人民政府, 县教育局."""
    # A post text names the unit without the Party's prefix: 示范县城关镇党委书记.
    name = organization.name.removeprefix("中共")
    if kind == TeamKind.TOWNSHIP_COMMITTEE:
        return name
    base = name
    for suffix in ("党组织", "党委", "党组", "党总支", "党支部"):
        if base.endswith(suffix):
            base = base.removesuffix(suffix)
            break
    return f"{base}人民政府" if kind == TeamKind.TOWNSHIP_GOVERNMENT else base


def team_create(
    *,
    actor,
    organization: Organization,
    kind: str,
    name: str = "",
    posts: list[PostDefault] | None = None,
    established_on: datetime.date | None = None,
) -> LeadershipTeam:
    """Set up the team of a township committee, a township government or a county unit
    (设立领导班子) with its defined posts (the defaults of its kind unless `posts` are given).
    Every post is vacant from `established_on` (today) until someone is appointed to it."""
    _require_cadre_section(actor, organization.path, target=organization)
    errors: dict[str, list[str]] = {}
    if kind not in TeamKind.values:
        errors["kind"] = ["请选择班子类别。"]
    elif kind in (TeamKind.TOWNSHIP_COMMITTEE, TeamKind.TOWNSHIP_GOVERNMENT):
        if organization.unit_category not in TOWNSHIP_UNITS:
            errors["kind"] = ["乡镇党政班子只能设在乡镇（街道）党委。"]
    elif organization.unit_category in NOT_COUNTY_UNITS:
        errors["kind"] = ["县直单位班子不能设在乡镇、街道、村或社区。"]
    established_on = established_on or timezone.localdate()
    if not is_plausible(established_on):
        errors["established_on"] = [OUT_OF_RANGE]
    if errors:
        raise ValidationError(errors)
    if posts is None:
        posts = default_posts(kind=kind, organization=organization)
    team = LeadershipTeam(
        organization=organization,
        kind=kind,
        name=(name or "").strip() or default_team_name(kind=kind, organization=organization),
    )
    try:
        team.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    try:
        with transaction.atomic():
            team.save()
            TeamPost.objects.bulk_create(
                TeamPost(
                    team=team,
                    title=p.title,
                    seats=p.seats,
                    leadership_level=p.leadership_level,
                    sort_order=i,
                    vacant_since=established_on,
                )
                for i, p in enumerate(posts)
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=team,
                org_path=organization.path,
                after=snapshot(team) | {"posts": [f"{p.title}×{p.seats}" for p in posts]},
                message=f"设立{team.name}{team.get_kind_display()}",
            )
    except IntegrityError as exc:
        label = TeamKind(kind).label
        raise ValidationError({"kind": [f"“{organization.name}”已设有{label}。"]}) from exc
    return team


# --- appointments ----------------------------------------------------------------------------
def _refresh_vacancy(post: TeamPost, *, ended_on: datetime.date | None = None) -> None:
    """Keep `vacant_since`: cleared when every seat is held; set, when it was not already,
    from the end of the holding that left the seat empty."""
    holders = post.holdings.filter(end__isnull=True).count()
    if holders >= post.seats:
        vacant_since = None
    else:
        vacant_since = post.vacant_since or ended_on or timezone.localdate()
    if vacant_since != post.vacant_since:
        post.vacant_since = vacant_since
        post.save(update_fields=["vacant_since"])


def _refresh_current_post(cadre: Cadre) -> dict:
    """Copy the cadre's current holdings into `Cadre.current_post` (现任职务), the text the
    appointment form prints; returns the change for the audit (empty when unchanged)."""
    titles = list(
        cadre.posts.filter(end__isnull=True).order_by("start", "pk").values_list("title", flat=True)
    )
    text = "、".join(dict.fromkeys(titles))[: Cadre._meta.get_field("current_post").max_length]
    if text == cadre.current_post:
        return {}
    before = cadre.current_post
    cadre.current_post = text
    cadre.save(update_fields=["current_post", "updated_at"])
    return {"current_post": [before, text]}


def post_appoint(
    *,
    actor,
    post: TeamPost,
    cadre: Cadre,
    start: datetime.date | None,
    document: str = "",
) -> PostHolding:
    """Appoint a cadre to a post of a team (任职), refused when every seat is held."""
    team = post.team
    organization = team.organization
    _require_cadre_section(actor, organization.path, target=team)
    _require_cadre_section(actor, cadre.organization.path, target=cadre)
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start"] = ["请填写任职时间。"]
    elif not is_plausible(start):
        errors["start"] = [OUT_OF_RANGE]
    if not cadre.is_active:
        errors["cadre"] = [f"{cadre.name}不在职，不能任职。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The post row is the lock: two clerks filling the last seat at once wait in turn.
        post = TeamPost.objects.select_for_update().select_related("team").get(pk=post.pk)
        current = post.holdings.filter(end__isnull=True)
        if current.filter(cadre=cadre).exists():
            raise ValidationError({"cadre": [f"{cadre.name}已担任{team.name}{post.title}。"]})
        if current.count() >= post.seats:
            raise ValidationError(
                {
                    "post": [
                        f"{team.name}{post.title}职数已满（{post.seats}名），"
                        "请先免去现任人员的职务。"
                    ]
                }
            )
        holding = PostHolding(
            cadre=cadre,
            organization=organization,
            team_post=post,
            title=f"{team.name}{post.title}",
            leadership_level=post.leadership_level,
            start=start,
            document=(document or "").strip(),
            created_by=acting_user(actor),
        )
        holding.full_clean(exclude=["cadre", "organization", "team_post", "created_by"])
        holding.save()
        _refresh_vacancy(post)
        cadre_change = _refresh_current_post(cadre)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=holding,
            org_path=organization.path,
            after=snapshot(holding) | {"cadre": cadre.name} | cadre_change,
            message=f"任命{cadre.name}为{holding.title}",
        )
    return holding


def holding_end(*, actor, holding: PostHolding, end: datetime.date | None) -> PostHolding:
    """End a holding (免职) on `end`, not before its start nor after today; the post is vacant
    from that day when it no longer has a holder for each seat."""
    _require_cadre_section(actor, holding.organization.path, target=holding)
    errors: dict[str, list[str]] = {}
    if holding.end is not None:
        errors["end"] = ["该任职已经结束。"]
    elif end is None:
        errors["end"] = ["请填写免职时间。"]
    elif not is_plausible(end):
        errors["end"] = [OUT_OF_RANGE]
    elif end < holding.start:
        errors["end"] = ["免职时间不能早于任职时间。"]
    elif end > timezone.localdate():
        errors["end"] = ["免职时间不能晚于今天。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = None
        if holding.team_post_id:
            post = TeamPost.objects.select_for_update().get(pk=holding.team_post_id)
        before = snapshot(holding, ["end"])
        holding.end = end
        holding.save(update_fields=["end"])
        if post is not None:
            _refresh_vacancy(post, ended_on=end)
        cadre_change = _refresh_current_post(holding.cadre)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=holding,
            org_path=holding.organization.path,
            before=before,
            after=snapshot(holding, ["end"]) | cadre_change,
            message=f"免去{holding.cadre.name}的{holding.title}职务",
        )
    return holding


# --- structure targets -----------------------------------------------------------------------
TARGET_FIELDS = ["kind", "team_kind", "value", "parameter", "label", "is_active"]


def _target_validate(target: TeamTarget) -> None:
    errors: dict[str, list[str]] = {}
    target.parameter = (target.parameter or "").strip()
    target.label = (target.label or "").strip()
    if target.kind == TargetKind.MIN_UNDER_AGE:
        if not target.parameter.isdigit() or not 18 <= int(target.parameter) <= 70:
            errors["parameter"] = ["请填写年龄（18～70 岁），如 35。"]
        else:
            target.parameter = str(int(target.parameter))
    elif target.kind == TargetKind.MIN_SPECIALTY:
        if not target.parameter or "、" in target.parameter:
            errors["parameter"] = ["请填写一个专长，如“熟悉经济”。"]
    else:
        target.parameter = ""
    if target.kind == TargetKind.MIN_COLLEGE_SHARE and target.value > 100:
        errors["value"] = ["占比不能超过100%。"]
    if target.kind != TargetKind.MIN_COLLEGE_SHARE and target.value < 1:
        errors["value"] = ["人数至少为1。"]
    try:
        target.full_clean()
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)


def team_target_create(*, actor, data: dict) -> TeamTarget:
    """Add a structure target of the county's teams (班子结构目标)."""
    _require_target_editor(actor)
    target = TeamTarget(**{k: v for k, v in data.items() if k in TARGET_FIELDS})
    _target_validate(target)
    with transaction.atomic():
        target.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=target,
            after=snapshot(target),
            message=f"新增班子结构目标：{target.label}",
        )
    return target


def team_target_update(*, actor, target: TeamTarget, data: dict) -> TeamTarget:
    """Change a target, or switch it off (`is_active`)."""
    _require_target_editor(actor, target=target)
    before = snapshot(target)
    for field, value in data.items():
        if field in TARGET_FIELDS:
            setattr(target, field, value)
    _target_validate(target)
    old, new = changed_fields(before, snapshot(target))
    if not new:
        return target
    with transaction.atomic():
        target.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=target,
            before=old,
            after=new,
            message=f"修改班子结构目标：{target.label}",
        )
    return target


def team_targets_load_defaults(*, actor) -> list[TeamTarget]:
    """Add the default targets (DEFAULT_TARGETS) when the county has none yet; a county that
    set its own keeps them."""
    _require_target_editor(actor)
    if TeamTarget.objects.exists():
        return []
    return [team_target_create(actor=actor, data=dict(d)) for d in DEFAULT_TARGETS]
