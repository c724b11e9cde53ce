"""Reads of the organization tree, always through the user's scope."""

import datetime
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.utils import timezone

from zuzhi.core.models import AuditLog
from zuzhi.core.paging import MappedQuerySet
from zuzhi.core.params import object_id
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    PATH_STEP,
    ancestor_paths,
    deny,
    path_in,
    role_paths,
    subtree_q,
    user_scope_paths,
)

from .models import BRANCH_TYPES, Organization, OrgType, RectificationCase


def org_scoped(*, user) -> QuerySet[Organization]:
    return Organization.objects.visible_to(user)


def org_list(
    *,
    user,
    parent: int | None = None,
    org_type: str | None = None,
    unit_category: str | None = None,
    q: str | None = None,
    within: int | None = None,
) -> QuerySet[Organization]:
    """Organizations the user may see, filtered; `within` limits to one node's subtree."""
    qs = org_scoped(user=user).select_related("parent")
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    if within is not None:
        root = org_get(user=user, pk=within)
        qs = qs.filter(subtree_q(root.path))
    if org_type:
        qs = qs.filter(org_type=org_type)
    if unit_category:
        qs = qs.filter(unit_category=unit_category)
    if q:
        qs = qs.filter(name_q(q))
    return qs.order_by("path")


def name_q(q: str) -> Q:
    """An organization as a clerk names it: part of its name or short name (城关镇), its
    code, or pinyin initials anywhere in the name (every name begins 中共示范县, so `cgz`
    must find 中共示范县城关镇委员会 in the middle)."""
    q = "".join(q.split())
    return (
        Q(name__icontains=q)
        | Q(short_name__icontains=q)
        | Q(code__iexact=q)
        | Q(name_initials__contains=q.lower())
    )


def org_by_name(
    *, user, name: str, org_types: tuple[str, ...], limit: int = 5
) -> tuple[Organization | None, list[Organization]]:
    """An active organization of `org_types` in the user's scope named as a clerk writes it:
    (the one, []) when the name is its full name or short name, or the ending of its formal
    name "中共……"; otherwise (None, up to `limit` candidates to offer). A name that merely
    begins or ends another (李庄村党支部 in 小李庄村党支部) is never taken for it."""
    compact = "".join(name.split())
    if not compact:
        return None, []
    visible = org_scoped(user=user).filter(org_type__in=org_types, is_active=True)
    exact = list(visible.filter(Q(name=compact) | Q(short_name=compact)).order_by("path")[:limit])
    if len(exact) == 1:
        return exact[0], []
    if exact:
        return None, exact
    loose = list(
        visible.filter(Q(name__endswith=compact) | Q(name__startswith=compact)).order_by("path")[
            : limit + 1
        ]
    )
    formal = [
        o for o in loose if o.name.endswith(compact) and o.name[: -len(compact)].startswith("中共")
    ]
    if len(formal) == 1:
        return formal[0], []
    return None, loose[:limit]


def org_get(*, user, pk) -> Organization:
    return Organization.objects.select_related("parent").get_visible_or_404(user, pk=pk)


def org_param(*, user, value: str | int | None) -> Organization | None:
    """The organization named by an `?org=` parameter of a page or the API; None when absent.
    Anything but the id of an organization in the user's scope is "not found", and an
    existing one outside the scope is logged as a refused access."""
    pk = object_id(value)
    return None if pk is None else org_get(user=user, pk=pk)


def org_get_by_code(*, user, code: str) -> Organization:
    return Organization.objects.get_visible_or_404(user, code=code)


def org_roots(*, user) -> QuerySet[Organization]:
    """The top nodes of the user's visible tree (their scope roots)."""
    return (
        Organization.objects.filter(path__in=user_scope_paths(user))
        .annotate(child_count=Count("children"))
        .order_by("path")
    )


def org_children(*, user, parent: Organization) -> QuerySet[Organization]:
    return (
        org_scoped(user=user)
        .filter(parent=parent)
        .annotate(child_count=Count("children"))
        .order_by("sort_order", "path")
    )


def org_ancestors(*, user, org: Organization) -> list[Organization]:
    """The visible ancestors of `org`, top first (for breadcrumbs)."""
    return list(org_scoped(user=user).filter(path__in=ancestor_paths(org.path)).order_by("path"))


def org_descendants(
    *, user, org: Organization, include_self: bool = True
) -> QuerySet[Organization]:
    qs = org_scoped(user=user).filter(subtree_q(org.path))
    return qs if include_self else qs.exclude(pk=org.pk)


def org_type_counts(*, user, org: Organization) -> dict[str, int]:
    """Counts by organization type within `org`'s subtree (下辖组织统计)."""
    rows = (
        org_descendants(user=user, org=org)
        .values("org_type")
        .annotate(n=Count("id"))
        .order_by("org_type")
    )
    return {r["org_type"]: r["n"] for r in rows}


def org_history(*, user, org: Organization) -> QuerySet[AuditLog]:
    """The change log of one organization (变更记录); the org itself is scope-checked."""
    org = org_get(user=user, pk=org.pk)
    return AuditLog.objects.filter(
        target_type="orgs.organization", target_id=str(org.pk)
    ).select_related("actor")


class HealthFlag:
    """Organization health checks from the Party constitution and branch work rules (组织体检)."""

    FEW_FULL_MEMBERS = "few_full_members"
    TOO_MANY_MEMBERS = "too_many_members"
    TERM_EXPIRED = "term_expired"
    TERM_EXPIRING = "term_expiring"
    NO_RECENT_MEETING = "no_recent_meeting"

    LABELS = {
        FEW_FULL_MEMBERS: "正式党员不足 3 人",
        TOO_MANY_MEMBERS: "党员超过 50 人，应设党总支",
        TERM_EXPIRED: "任期已届满，应按期换届",
        TERM_EXPIRING: "任期 90 天内届满",
        NO_RECENT_MEETING: "60 天没有组织生活记录",
    }


EXPIRING_DAYS = 90
MIN_FULL_MEMBERS = 3
MAX_BRANCH_MEMBERS = 50


def _health_annotated(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """`qs` with the figures the health checks read, from the organization's kept figures
    (`orgs.figures`): one joined row per organization, whatever the size of the registry."""
    return qs.annotate(
        full_members=Coalesce("figures__full_members", 0),
        all_members=Coalesce("figures__members", 0),
        last_meeting=F("figures__last_meeting_on"),
    )


def _health_flag_q(today: datetime.date) -> dict[str, Q]:
    """Each health flag as a condition on `_health_annotated`'s figures."""
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    branch = Q(org_type__in=[t.value for t in BRANCH_TYPES])
    quiet_since = today - datetime.timedelta(days=settings.ZUZHI_NO_MEETING_DAYS)
    return {
        HealthFlag.FEW_FULL_MEMBERS: branch & Q(full_members__lt=MIN_FULL_MEMBERS),
        HealthFlag.TOO_MANY_MEMBERS: branch & Q(all_members__gt=MAX_BRANCH_MEMBERS),
        HealthFlag.TERM_EXPIRED: Q(term_end__lt=today),
        HealthFlag.TERM_EXPIRING: Q(term_end__gte=today, term_end__lte=soon),
        HealthFlag.NO_RECENT_MEETING: branch
        & (Q(last_meeting__isnull=True) | Q(last_meeting__lte=quiet_since)),
    }


def _health_flagged(qs: QuerySet[Organization], today: datetime.date) -> QuerySet[Organization]:
    """`qs` annotated with the figures the health checks read, kept to the flagged ones."""
    any_flag = Q()
    for q in _health_flag_q(today).values():
        any_flag |= q
    return _health_annotated(qs).filter(any_flag)


def _health_row(org: Organization, today: datetime.date) -> tuple[Organization, list[str]]:
    """The organization with its flags, read from the figures `_health_annotated` added."""
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    quiet_since = today - datetime.timedelta(days=settings.ZUZHI_NO_MEETING_DAYS)
    branch = org.org_type in {t.value for t in BRANCH_TYPES}
    flags = []
    if branch and org.full_members < MIN_FULL_MEMBERS:
        flags.append(HealthFlag.FEW_FULL_MEMBERS)
    if branch and org.all_members > MAX_BRANCH_MEMBERS:
        flags.append(HealthFlag.TOO_MANY_MEMBERS)
    if org.term_end and org.term_end < today:
        flags.append(HealthFlag.TERM_EXPIRED)
    elif org.term_end and org.term_end <= soon:
        flags.append(HealthFlag.TERM_EXPIRING)
    if branch and (org.last_meeting is None or org.last_meeting <= quiet_since):
        flags.append(HealthFlag.NO_RECENT_MEETING)
    return org, flags


def org_health(
    *, user, today: datetime.date | None = None, flag: str | None = None, organization=None
) -> MappedQuerySet:
    """Organizations in scope with at least one health flag (`flag`: with that one), with
    their flags, in tree order.

    Member counts and the last meeting are the organizations' kept figures (orgs.figures),
    derived from the registry and the meeting records, so nothing is reported twice by hand.
    """
    today = today or timezone.localdate()
    qs = org_scoped(user=user)
    if organization is not None:
        qs = qs.filter(pk=organization.pk)
    flagged = _health_flagged(qs, today)
    if flag is not None:
        flagged = flagged.filter(_health_flag_q(today)[flag])
    # Counted, paged and iterated in the database (a province has 150,000 organizations).
    rows = flagged.select_related("parent").order_by("path")
    return MappedQuerySet(rows, partial(_health_row, today=today))


def org_health_counts(*, user, today: datetime.date | None = None) -> dict[str, int]:
    """How many organizations in scope have each health flag: one aggregate query."""
    flags = _health_flag_q(today or timezone.localdate())
    return _health_annotated(org_scoped(user=user)).aggregate(
        **{str(flag): Count("pk", filter=q) for flag, q in flags.items()}
    )


def rectification_list(*, user, status: str | None = None) -> QuerySet[RectificationCase]:
    """Weak and lax organizations under rectification (软弱涣散党组织台账), open first."""
    qs = RectificationCase.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("organization").order_by("status", "-opened_at")


def rectification_get(*, user, pk) -> RectificationCase:
    return RectificationCase.objects.select_related("organization").get_visible_or_404(user, pk=pk)


# The organization picker (选择党组织). Each mode is a reach: which organizations a picker may
# offer the user, and which a form built on it accepts.
class PickerMode(StrEnum):
    SCOPE = "scope"  # the user's own scope (录入党员, 上级组织, 参评对象)
    COUNTY = "county"  # the whole county around the user's scope (转入党组织)
    TREE = "tree"  # the nodes a system administrator manages (授予角色)
    CADRES = "cadres"  # the units of the user's cadre section (干部所在单位)
    STAFF = "staff"  # the county or township staff's scope (村级后备力量的村、乡镇)


# The roles whose scope is a mode's reach.
MODE_ROLES = {
    PickerMode.TREE: (Role.SYSTEM_ADMIN,),
    PickerMode.CADRES: (Role.CADRE_STAFF,),
    PickerMode.STAFF: (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF),
}


PICKER_LIMIT = 10


@dataclass(frozen=True)
class OrgChoice:
    """An organization as a picker shows it: id, name and where it sits (its parent, or in
    the county-wide mode its township). Nothing else of an organization outside the user's
    scope leaves the server."""

    id: int
    name: str
    context: str


def county_paths(*, user) -> list[str]:
    """The counties containing the user's scope: for each scope root, the nearest county
    committee at or above it, else the top of its tree."""
    roots = user_scope_paths(user)
    candidates = {p for r in roots for p in (*ancestor_paths(r), r)}
    counties = Organization.objects.filter(
        path__in=candidates, org_type=OrgType.COUNTY_COMMITTEE
    ).values_list("path", flat=True)
    found = set()
    for root in roots:
        mine = [c for c in counties if path_in(root, c)]
        found.add(max(mine, key=len) if mine else root[:PATH_STEP])
    return sorted(p for p in found if not any(p != o and path_in(p, o) for o in found))


def _paths_q(paths: list[str]) -> Q | None:
    q = None
    for path in paths:
        q = subtree_q(path) if q is None else q | subtree_q(path)
    return q


def org_picker_queryset(
    *,
    user,
    mode: str = PickerMode.SCOPE,
    org_types: Iterable[str] = (),
    unit_categories: Iterable[str] = (),
) -> QuerySet[Organization]:
    """The organizations a picker in `mode` may offer the user, of the given types and unit
    categories: their scope; the active organizations of their county (a transfer's receiving
    side); the scope of their roles of `MODE_ROLES` (a system administrator's nodes, whose
    scope has no business data; a cadre section's units; the villages and townships of county
    or township staff). A user with no such reach gets none."""
    if mode == PickerMode.COUNTY:
        where = _paths_q(county_paths(user=user))
        qs = Organization.objects.none() if where is None else Organization.objects.filter(where)
        qs = qs.filter(is_active=True)
    elif mode in MODE_ROLES:
        where = _paths_q(role_paths(user, *MODE_ROLES[mode]))
        qs = Organization.objects.none() if where is None else Organization.objects.filter(where)
    else:
        qs = org_scoped(user=user)
    org_types, unit_categories = list(org_types), list(unit_categories)
    if org_types:
        qs = qs.filter(org_type__in=org_types)
    if unit_categories:
        qs = qs.filter(unit_category__in=unit_categories)
    return qs


def org_choices(*, user, orgs: list[Organization], mode: str) -> list[OrgChoice]:
    """`orgs` as a picker shows them: with their parent's name if the parent is within the
    picker's reach too (a clerk's picker does not name what is above their scope), or in
    the county-wide mode their township's (the node just below the county)."""
    if mode == PickerMode.COUNTY:
        counties = Organization.objects.filter(
            org_type=OrgType.COUNTY_COMMITTEE,
            path__in={p for o in orgs for p in ancestor_paths(o.path)},
        ).values_list("path", flat=True)
        township = {}
        for org in orgs:
            county = max((c for c in counties if path_in(org.path, c)), key=len, default="")
            # A township, or the county itself, is placed by its parent.
            depth = len(county) + PATH_STEP
            township[org.pk] = org.path[:depth] if len(org.path) > depth else org.path[:-PATH_STEP]
        names = dict(
            Organization.objects.filter(path__in=set(township.values())).values_list("path", "name")
        )
        return [OrgChoice(o.pk, o.name, names.get(township[o.pk], "")) for o in orgs]
    parents = dict(
        org_picker_queryset(user=user, mode=mode)
        .filter(pk__in={o.parent_id for o in orgs})
        .values_list("pk", "name")
    )
    return [OrgChoice(o.pk, o.name, parents.get(o.parent_id, "")) for o in orgs]


def org_picker_search(
    *,
    user,
    q: str,
    mode: str = PickerMode.SCOPE,
    org_types: Iterable[str] = (),
    unit_categories: Iterable[str] = (),
    limit: int = PICKER_LIMIT,
) -> list[OrgChoice]:
    """Organizations in the picker's reach named by `q` (see `name_q`), higher levels first."""
    if not q.strip():
        return []
    qs = org_picker_queryset(
        user=user, mode=mode, org_types=org_types, unit_categories=unit_categories
    )
    found = list(
        qs.filter(name_q(q))
        .order_by("depth", "path")
        .only("pk", "name", "path", "parent_id")[:limit]
    )
    return org_choices(user=user, orgs=found, mode=mode)


def transfer_target_search(*, user, q: str, org_types: Iterable[str] = ()) -> list[OrgChoice]:
    """Receiving organizations of a transfer (转入党组织), searched by name across the county
    containing the user's scope; of one outside their scope they see name and township only."""
    return org_picker_search(user=user, q=q, mode=PickerMode.COUNTY, org_types=org_types)


def org_picker_choice(*, user, pk, mode: str = PickerMode.SCOPE, **filters) -> OrgChoice:
    """The chosen organization as its picker shows it. Outside the picker's reach it is
    "not found", and an existing one outside the user's reach is logged as refused."""
    pk = object_id(pk)
    org = org_picker_queryset(user=user, mode=mode, **filters).filter(pk=pk).first()
    if org is None:
        existing = Organization.objects.filter(pk=pk).first()
        if existing and not org_picker_queryset(user=user, mode=mode).filter(pk=pk).exists():
            raise deny(user, target=existing)
        raise Http404("未找到该对象。")
    return org_choices(user=user, orgs=[org], mode=mode)[0]


CODE_SUFFIX_RX = re.compile(r"([A-Za-z]*)([0-9]+)")


def org_code_proposal(*, parent: Organization) -> str:
    """The next free code under `parent` (建议的组织代码). Codes are the parent's code, a
    dash and a numbered suffix (SFX-T03, SFX-T03-V012, SFX-T03-V012-B2): the next number in
    the suffix its children use most, in the same width; a first child gets -01."""
    prefix = f"{parent.code}-"
    shapes: Counter = Counter()
    highest: dict[tuple[str, int], int] = {}
    siblings = Organization.objects.filter(parent=parent, code__startswith=prefix)
    for code in siblings.values_list("code", flat=True):
        match = CODE_SUFFIX_RX.fullmatch(code[len(prefix) :])
        if match:
            shape = (match[1], len(match[2]))
            shapes[shape] += 1
            highest[shape] = max(highest.get(shape, 0), int(match[2]))
    letters, width = shapes.most_common(1)[0][0] if shapes else ("", 2)
    number = highest.get((letters, width), 0) + 1
    while True:
        code = f"{prefix}{letters}{number:0{width}d}"
        if not Organization.objects.filter(code=code).exists():
            return code
        number += 1


# ---------------------------------------------------------------------------------------------
# Counts for the home page (首页待办与图表): aggregates in the database, never a loop over the
# scope, so that they stay fast for a province.


def org_existed_q(before: datetime.date, prefix: str = "") -> Q:
    """Organizations that existed before `before`: founded then, or, with no founding date on
    record, entered into the system then. A branch set up in November owes no meetings for
    January to October."""
    start = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    return Q(**{f"{prefix}founded_on__lt": before}) | Q(
        **{f"{prefix}founded_on__isnull": True, f"{prefix}created_at__lt": start}
    )


def org_count_below_roots(*, user, qs: QuerySet, path_field: str = "path") -> list:
    """`qs` (already inside the user's scope) counted by the level just below each of the
    user's scope roots: a county user gets townships, a township user its branches, a branch
    secretary their own branch. Returns [(organization, count)] in tree order."""
    counts: dict[str, int] = {}
    for root in user_scope_paths(user):
        rows = (
            qs.filter(subtree_q(root, path_field))
            .annotate(group=Substr(path_field, 1, len(root) + PATH_STEP))
            .values("group")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["group"]] = counts.get(row["group"], 0) + row["n"]
    orgs = Organization.objects.filter(path__in=counts).order_by("path")
    return [(org, counts[org.path]) for org in orgs]


@dataclass(frozen=True)
class TermsDue:
    """Organizations whose term (任期) has ended or ends within EXPIRING_DAYS (换届提醒)."""

    expired: int
    expiring: int
    oldest: datetime.date | None  # the earliest term end among them


def org_terms_due(*, user, today: datetime.date | None = None) -> TermsDue:
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    row = (
        org_scoped(user=user)
        .filter(is_active=True, term_end__lte=soon)
        .aggregate(
            expired=Count("pk", filter=Q(term_end__lt=today)),
            expiring=Count("pk", filter=Q(term_end__gte=today)),
            oldest=Min("term_end"),
        )
    )
    return TermsDue(row["expired"], row["expiring"], row["oldest"])


def org_attention_counts(*, user, today: datetime.date | None = None) -> list:
    """Organizations with a health flag (组织体检) by the level below the user's roots
    (townships for the county, branches for a township): [(organization, {"any": flagged,
    flag: organizations with it, …})] in tree order. The rules of `org_health`, as one grouped
    query per scope root."""
    today = today or timezone.localdate()
    flags = _health_flag_q(today)
    any_flag = Q()
    for q in flags.values():
        any_flag |= q
    counts = {"any": Count("pk", filter=any_flag)} | {
        flag: Count("pk", filter=q) for flag, q in flags.items()
    }
    found: dict[str, dict[str, int]] = {}
    annotated = _health_annotated(org_scoped(user=user))
    for root in user_scope_paths(user):
        rows = (
            annotated.filter(subtree_q(root))
            .annotate(group=Substr("path", 1, len(root) + PATH_STEP))
            .values("group")
            .annotate(**counts)
            .order_by()
        )
        for row in rows:
            if row["any"]:
                found[row.pop("group")] = row
    orgs = Organization.objects.filter(path__in=found).order_by("path")
    return [(org, found[org.path]) for org in orgs]
