"""Reads of star ratings (星级评定), always through the user's scope.

A subject's level in a period is the count of its confirmed stars. The database computes it
as a grouped count over one join of subjects and awards, so a county's 400 villages or 16,000
members are listed, filtered by level, paged and compared between periods without a query per
subject (measured on 300 villages, 16,000 members and 97,000 awards: a page in about 0.1 s on
SQLite and on an analyzed PostgreSQL).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, F, FilteredRelation, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zuzhi.core.params import object_id
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    deny,
    path_in,
    role_paths,
    subtree_q,
    user_scope_paths,
)
from zuzhi.members.models import Member
from zuzhi.members.selectors import member_get, member_list
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.models import Organization, UnitCategory
from zuzhi.orgs.selectors import org_get, org_list

from .models import AwardStatus, Star, StarAward, StarScheme, SubjectKind
from .periods import period_current, period_previous

VILLAGE_CATEGORIES = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)
CHUNK = 2000  # ids per IN (...) list: well under SQLite's limit on query parameters


def _schemes() -> QuerySet[StarScheme]:
    return (
        StarScheme.objects.filter(is_active=True)
        .select_related("organization", "adopted_from")
        .prefetch_related("stars", "quotas", "copies__organization")
    )


def _claimed_paths(scheme: StarScheme) -> list[str]:
    """The nodes whose own copy rates the subjects under them instead of `scheme`."""
    if scheme.adopted_from_id is not None:
        return []
    return [c.organization.path for c in scheme.copies.all() if c.organization_id]


def _rates_some_of(scheme: StarScheme, root: str) -> bool:
    """Whether the scheme rates any subject in the subtree of `root`."""
    own = scheme.organization.path if scheme.organization_id else ""
    if own and path_in(own, root):
        return True
    inside = not own or path_in(root, own)
    return inside and not any(path_in(root, claimed) for claimed in _claimed_paths(scheme))


def scheme_list(*, user) -> list[StarScheme]:
    """The schemes that rate some subject in the user's scope: the default, unless the
    user's whole scope lies in counties with their own copies, and those copies. A user
    without a data scope sees the defaults."""
    roots = user_scope_paths(user)
    return [
        s
        for s in _schemes()
        if (any(_rates_some_of(s, root) for root in roots) if roots else not s.adopted_from_id)
    ]


def scheme_get(*, user, code: str) -> StarScheme:
    """The scheme with this code; the default's code leads a user whose whole scope lies in
    one county with its own copy to that copy, so their addresses keep working."""
    scheme = _schemes().filter(code=code).first()
    if scheme is None:
        raise Http404("未找到该评星方案。")
    roots = user_scope_paths(user)
    for copy in scheme.copies.all() if roots and scheme.adopted_from_id is None else []:
        if copy.is_active and all(path_in(root, copy.organization.path) for root in roots):
            return scheme_get(user=user, code=copy.code)
    return scheme


def scheme_claims_elsewhere(scheme: StarScheme, path: str) -> bool:
    """Whether the node at `path` lies in a county rated by its own copy of `scheme`."""
    return any(path_in(path, claimed) for claimed in _claimed_paths(scheme))


def scheme_subjects_q(scheme: StarScheme, path_field: str) -> Q:
    """The subjects a scheme rates, by their organization path: those under its node, less
    those under a county that adopted its own copy."""
    q = subtree_q(scheme.organization.path, path_field) if scheme.organization_id else Q()
    for claimed in _claimed_paths(scheme):
        q &= ~subtree_q(claimed, path_field)
    return q


def current_period(scheme: StarScheme) -> str:
    return period_current(scheme.period_kind, timezone.localdate())


def is_member_scheme(scheme: StarScheme) -> bool:
    return scheme.subject_kind == SubjectKind.MEMBER


def subject_field(scheme: StarScheme) -> str:
    """The award's foreign key that names the subject."""
    return "member" if is_member_scheme(scheme) else "organization"


def subject_path_field(scheme: StarScheme) -> str:
    """The subject's organization path, relative to the subject model."""
    return "organization__path" if is_member_scheme(scheme) else "path"


def _eligible_org_q(scheme: StarScheme) -> Q:
    if scheme.subject_kind == SubjectKind.VILLAGE:
        # The top Party organization of a village or community: a village committee's
        # (村党委) own branches are not rated a second time.
        return Q(is_active=True, unit_category__in=VILLAGE_CATEGORIES) & ~Q(
            parent__unit_category__in=VILLAGE_CATEGORIES
        )
    return Q(is_active=True, org_type__in=MEMBER_ORG_TYPES)


def eligible_subjects(scheme: StarScheme) -> QuerySet:
    """Every subject the scheme rates, unscoped: used for the rule checks and quotas."""
    if is_member_scheme(scheme):
        return Member.objects.filter(scheme_subjects_q(scheme, "organization__path"))
    return Organization.objects.filter(_eligible_org_q(scheme), scheme_subjects_q(scheme, "path"))


def subject_get(*, user, scheme: StarScheme, pk):
    """A subject the user may see (404 alike for missing and forbidden)."""
    pk = object_id(pk)
    if is_member_scheme(scheme):
        return member_get(user=user, pk=pk)
    return org_get(user=user, pk=pk)


def _subjects(*, user, scheme: StarScheme, q: str | None = None, within=None) -> QuerySet:
    if is_member_scheme(scheme):
        return member_list(user=user, q=q, within=within).filter(
            scheme_subjects_q(scheme, "organization__path")
        )
    return org_list(user=user, q=q, within=within.pk if within else None).filter(
        _eligible_org_q(scheme), scheme_subjects_q(scheme, "path")
    )


def _rated(scheme: StarScheme, periods: list[str]) -> FilteredRelation:
    """The subject's live awards of the scheme in `periods`, joined once with the condition in
    the join itself; each count below is a filtered aggregate over that one join."""
    return FilteredRelation(
        "star_awards",
        condition=Q(
            star_awards__scheme=scheme,
            star_awards__period__in=periods,
            star_awards__status__in=[AwardStatus.PROPOSED, AwardStatus.CONFIRMED],
        ),
    )


def _count(period: str, status: str) -> Count:
    return Count("rated", filter=Q(rated__period=period, rated__status=status))


def subject_levels(
    *,
    user,
    scheme: StarScheme,
    period: str,
    q: str | None = None,
    within=None,
    level: int | None = None,
) -> QuerySet:
    """The subjects in scope with `star_level` (confirmed stars) and `stars_proposed` (waiting
    for the county), in tree order and, for members, by name: never ranked by level."""
    qs = (
        _subjects(user=user, scheme=scheme, q=q, within=within)
        .annotate(rated=_rated(scheme, [period]))
        .annotate(
            star_level=_count(period, AwardStatus.CONFIRMED),
            stars_proposed=_count(period, AwardStatus.PROPOSED),
        )
    )
    if level is not None:
        qs = qs.filter(star_level=level)
    return qs


@dataclass
class SubjectRow:
    subject: object
    level: int
    proposed: int
    cells: list[tuple[Star, StarAward | None]]


def _live_awards(
    scheme: StarScheme, period: str, ids: list[int]
) -> dict[tuple[int, int], StarAward]:
    field = subject_field(scheme)
    found: dict[tuple[int, int], StarAward] = {}
    for start in range(0, len(ids), CHUNK):
        for award in StarAward.objects.filter(
            **{f"{field}_id__in": ids[start : start + CHUNK]},
            scheme=scheme,
            period=period,
            status__in=[AwardStatus.PROPOSED, AwardStatus.CONFIRMED],
        ):
            found[(getattr(award, f"{field}_id"), award.star_id)] = award
    return found


def subject_rows(*, scheme: StarScheme, period: str, subjects) -> list[SubjectRow]:
    """Rows for subjects from `subject_levels` (a page, or all for an export): each star with
    its live award, fetched in one query per 2,000 subjects."""
    subjects = list(subjects)
    stars = list(scheme.stars.all())
    awards = _live_awards(scheme, period, [s.pk for s in subjects])
    return [
        SubjectRow(
            subject=s,
            level=s.star_level,
            proposed=s.stars_proposed,
            cells=[(star, awards.get((s.pk, star.pk))) for star in stars],
        )
        for s in subjects
    ]


def _distribution(subjects: QuerySet, scheme: StarScheme, period: str) -> dict[int, int]:
    """Subjects per level (0 included): levels are counted per subject, then subjects per
    level, both in the database."""
    field = subject_field(scheme)
    per_subject = (
        StarAward.objects.filter(
            **{f"{field}__in": subjects.order_by().values("pk")},
            scheme=scheme,
            period=period,
            status=AwardStatus.CONFIRMED,
        )
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
    )
    # Django cannot aggregate over an aggregate; the outer GROUP BY wraps its own SQL, so a
    # county-wide count never brings one row per subject into Python.
    try:
        sql, params = per_subject.query.sql_with_params()
    except EmptyResultSet:
        # No subject at all (a judge or an administrator holds no data scope): Django
        # cannot write SQL for a query it knows is empty.
        rated = {}
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT levels.n, COUNT(*) FROM ({sql}) levels GROUP BY levels.n", params
            )
            rated = dict(cursor.fetchall())
    result = dict.fromkeys(range(len(scheme.stars.all()) + 1), 0)
    result.update(rated)
    result[0] = subjects.count() - sum(rated.values())
    return result


def level_distribution(*, user, scheme: StarScheme, period: str) -> dict[int, int]:
    """How many subjects in scope stand at each level."""
    return _distribution(_subjects(user=user, scheme=scheme), scheme, period)


def level_distribution_under(*, scheme: StarScheme, period: str, root_path: str) -> dict[int, int]:
    """The same for every subject under one node, whoever asks: the base of the quotas."""
    subjects = eligible_subjects(scheme).filter(subtree_q(root_path, subject_path_field(scheme)))
    return _distribution(subjects, scheme, period)


def level_changes(
    *,
    user,
    scheme: StarScheme,
    period: str,
    direction: str | None = None,
    q: str | None = None,
) -> QuerySet:
    """Subjects whose level in `period` differs from the period before (升星/降星), annotated
    with `star_level` and `previous_level`; direction "up" or "down" keeps one side."""
    previous = period_previous(period)
    qs = (
        _subjects(user=user, scheme=scheme, q=q)
        .annotate(rated=_rated(scheme, [period, previous]))
        .annotate(
            star_level=_count(period, AwardStatus.CONFIRMED),
            previous_level=_count(previous, AwardStatus.CONFIRMED),
        )
    )
    if direction == "up":
        return qs.filter(star_level__gt=F("previous_level"))
    if direction == "down":
        return qs.filter(star_level__lt=F("previous_level"))
    return qs.exclude(star_level=F("previous_level"))


def settled_level_changes(*, scheme: StarScheme, period: str) -> QuerySet[Organization]:
    """The organizations an organization scheme rates whose confirmed level in `period`
    differs from the period before, counted only once the period is settled for them: no
    star of theirs still waits for the county, and the county decided at least one (a
    confirmed star, or a withdrawn one for a fall to none); and only when the scheme rated
    anyone in the period before (a scheme's first period is no rise). Unscoped (the caller
    narrows to whom it answers); annotated with `star_level`, `previous_level` and
    `decided_at` (the last confirmation in `period`). One query."""
    previous = period_previous(period)
    awards = StarAward.objects.filter(scheme=scheme)
    return (
        eligible_subjects(scheme)
        .filter(Exists(awards.filter(period=previous, status=AwardStatus.CONFIRMED)))
        .annotate(
            withdrawn=Exists(
                awards.filter(
                    organization=OuterRef("pk"), period=period, status=AwardStatus.WITHDRAWN
                )
            ),
            rated=_rated(scheme, [period, previous]),
        )
        .annotate(
            star_level=_count(period, AwardStatus.CONFIRMED),
            previous_level=_count(previous, AwardStatus.CONFIRMED),
            stars_proposed=_count(period, AwardStatus.PROPOSED),
            decided_at=Max("rated__confirmed_at", filter=Q(rated__period=period)),
        )
        .filter(stars_proposed=0)
        .exclude(star_level=F("previous_level"))
        .filter(Q(star_level__gt=0) | Q(withdrawn=True))
    )


def change_counts(*, user, scheme: StarScheme, period: str) -> dict[str, int]:
    return {
        d: level_changes(user=user, scheme=scheme, period=period, direction=d).count()
        for d in ("up", "down")
    }


@dataclass
class ChangeRow:
    subject: object
    previous_level: int
    level: int
    gained: list[str]
    lost: list[str]


def change_rows(*, scheme: StarScheme, period: str, subjects) -> list[ChangeRow]:
    """Rows for subjects from `level_changes`: which named stars were gained and lost."""
    subjects = list(subjects)
    previous = period_previous(period)
    field = subject_field(scheme)
    held: dict[int, dict[str, set[int]]] = defaultdict(lambda: {period: set(), previous: set()})
    ids = [s.pk for s in subjects]
    for start in range(0, len(ids), CHUNK):
        for subject_id, star_id, label in StarAward.objects.filter(
            **{f"{field}_id__in": ids[start : start + CHUNK]},
            scheme=scheme,
            period__in=[period, previous],
            status=AwardStatus.CONFIRMED,
        ).values_list(f"{field}_id", "star_id", "period"):
            held[subject_id][label].add(star_id)
    stars = list(scheme.stars.all())
    rows = []
    for s in subjects:
        now, before = held[s.pk][period], held[s.pk][previous]
        rows.append(
            ChangeRow(
                subject=s,
                previous_level=s.previous_level,
                level=s.star_level,
                gained=[star.name for star in stars if star.pk in now - before],
                lost=[star.name for star in stars if star.pk in before - now],
            )
        )
    return rows


def _award_related(qs: QuerySet[StarAward]) -> QuerySet[StarAward]:
    return qs.select_related(
        "scheme",
        "star",
        "organization__parent",
        "member__organization",
        "proposed_by",
        "confirmed_by",
        "withdrawn_by",
    )


def award_list(
    *,
    user,
    scheme: StarScheme | None = None,
    period: str | None = None,
    within: Organization | None = None,
    status: str | None = None,
) -> QuerySet[StarAward]:
    """Awards on subjects the user may see; `within` keeps one organization's subtree."""
    qs = _award_related(StarAward.objects.visible_to(user))
    if within is not None:
        # The subject under `within`, by the same paths that decide who sees the award.
        inside = Q()
        for field in StarAward.scope_path_field:
            inside |= subtree_q(within.path, field)
        qs = qs.filter(inside)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if period:
        qs = qs.filter(period=period)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period", "scheme__sort_order", "organization__path", "member__name", "pk")


def award_get(*, user, pk) -> StarAward:
    """An award on a subject in the user's scope; 404 alike for missing and forbidden."""
    return _award_related(StarAward.objects).get_visible_or_404(user, pk=object_id(pk))


def award_get_many(*, user, pks: list) -> list[StarAward]:
    """Several awards at once, for a batch; any missing or forbidden one makes it a 404 (the
    forbidden one logged)."""
    pks = list(dict.fromkeys(object_id(pk) for pk in pks))
    if None in pks:
        raise Http404("未找到该评定。")
    awards = {}
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        for award in _award_related(StarAward.objects.visible_to(user).filter(pk__in=chunk)):
            awards[award.pk] = award
    hidden = [pk for pk in pks if pk not in awards]
    for start in range(0, len(hidden), CHUNK):
        existing = StarAward.objects.filter(pk__in=hidden[start : start + CHUNK]).first()
        if existing is not None:
            raise deny(user, target=existing, message="查看权限范围以外的星级评定")
    if hidden:
        raise Http404("未找到该评定。")
    return [awards[pk] for pk in pks]


@dataclass
class PeriodHistory:
    period: str
    level: int
    awards: list[StarAward]


def subject_history(*, scheme: StarScheme, subject) -> list[PeriodHistory]:
    """Every period's awards for one subject (fetched with `subject_get`), newest first,
    withdrawn ones included with their reasons."""
    awards = _award_related(
        StarAward.objects.filter(scheme=scheme, **{subject_field(scheme): subject})
    ).order_by("-period", "star__position", "pk")
    by_period: dict[str, list[StarAward]] = {}
    for award in awards:
        by_period.setdefault(award.period, []).append(award)
    return [
        PeriodHistory(
            period=label,
            level=sum(1 for a in items if a.status == AwardStatus.CONFIRMED),
            awards=items,
        )
        for label, items in by_period.items()
    ]


def proposals_to_decide(*, user) -> list[dict]:
    """Star proposals (待确认) on subjects the user may confirm, by scheme and period, oldest
    first: [{"scheme", "period", "count", "oldest"}]. Only the county department confirms, so
    anyone else gets nothing."""
    # The confirmer's role of services.CONFIRMER_ROLES (services import this module).
    roots = role_paths(user, Role.COUNTY_STAFF)
    if not roots:
        return []
    inside = Q()
    for root in roots:
        for field in StarAward.scope_path_field:
            inside |= subtree_q(root, field)
    rows = (
        StarAward.objects.filter(inside, status=AwardStatus.PROPOSED)
        .values("scheme", "period")
        .annotate(count=Count("pk"), oldest=Min("proposed_at"))
        .order_by("oldest")
    )
    schemes = StarScheme.objects.in_bulk({r["scheme"] for r in rows})
    return [r | {"scheme": schemes[r["scheme"]]} for r in rows]
