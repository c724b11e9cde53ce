"""Yearly points per member, derived from meetings, appraisals and manual entries.

The database computes them: one annotated query over the members in scope, ordered and paged
there, so a page costs the same for a branch and a county. Each active rule is one column:
the base points, meetings counted in the year (capped), the published appraisal grade, or
the sum of manual entries; a one-vote veto (一票否决) sets the year to 0.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    Expression,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import Exact, In

from zuzhi.appraisal.models import AppraisalSubject, RoundStatus
from zuzhi.core.paging import MappedQuerySet, PageMappedQuerySet
from zuzhi.members.models import Member
from zuzhi.members.selectors import member_list, member_scoped
from zuzhi.orglife.models import Meeting, MeetingAbsence
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_scoped

from .models import PointEntry, PointRule, RuleKind, RuleSource

GRADE_SOURCES = {
    "excellent": RuleSource.APPRAISAL_EXCELLENT,
    "basic": RuleSource.APPRAISAL_BASIC,
    "unqualified": RuleSource.APPRAISAL_UNQUALIFIED,
}
SOURCE_GRADES = {source: grade for grade, source in GRADE_SOURCES.items()}


@dataclass
class MemberPoints:
    member: Member
    total: int
    lines: list[tuple[str, int]] = field(default_factory=list)
    vetoed_by: str = ""


def _per_member(qs: QuerySet, value) -> Coalesce:
    """A per-member figure of `qs` (rows with a member_id) as a correlated subquery."""
    per = qs.filter(member_id=OuterRef("pk")).order_by().values("member_id").annotate(v=value)
    return Coalesce(Subquery(per.values("v")), 0, output_field=IntegerField())


@dataclass(frozen=True)
class YearFigures:
    """What the rules count in a member's year, as expressions over one row of a query: the
    meetings attended and missed, the published appraisal grade ('' for none), and each manual
    rule's entries summed. The points page reads them from correlated subqueries (a page of
    50), the kept yearly points (`points.tally`) from grouped tables joined once; the rule
    below is the same for both."""

    attended: Expression
    absent: Expression
    grade: Expression
    manual: Callable[[PointRule], Expression]


def _capped(rule: PointRule, value):
    if rule.yearly_cap is None:
        return value
    return Greatest(Value(-rule.yearly_cap), Least(Value(rule.yearly_cap), value))


def rule_value(rule: PointRule, figures: YearFigures):
    """One rule's points in the member's year."""
    if rule.source == RuleSource.YEARLY:
        return Value(rule.points)
    if rule.source == RuleSource.MEETING_ATTENDED:
        return _capped(rule, figures.attended * rule.points)
    if rule.source == RuleSource.MEETING_ABSENT:
        return _capped(rule, figures.absent * rule.points)
    if rule.source == RuleSource.MANUAL:
        return figures.manual(rule)
    return Case(
        When(Exact(figures.grade, SOURCE_GRADES[rule.source]), then=Value(rule.points)),
        default=Value(0),
    )


def veto_condition(rules: list[PointRule], grade: Expression) -> Expression | None:
    """The condition of a one-vote veto (一票否决): a grade named by an active veto rule."""
    grades = [SOURCE_GRADES.get(r.source) for r in rules if r.kind == RuleKind.VETO]
    grades = [g for g in grades if g]
    return In(grade, grades) if grades else None


def points_total(rules: list[PointRule], values: list, grade: Expression):
    """The year's points: the rules' values summed, 0 when vetoed."""
    subtotal = sum(values, Value(0))
    veto = veto_condition(rules, grade)
    return subtotal if veto is None else Case(When(veto, then=Value(0)), default=subtotal)


def annotated_points(members: QuerySet, rules: list[PointRule], year: int) -> QuerySet:
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    in_year = {"meeting__date__gte": start, "meeting__date__lt": end}
    grade = (
        AppraisalSubject.objects.filter(
            member_id=OuterRef("pk"), round__year=year, round__status=RoundStatus.PUBLISHED
        )
        .exclude(grade="")
        .order_by("-pk")
        .values("grade")[:1]
    )
    qs = members.annotate(
        points_attended=_per_member(
            Meeting.attendees.through.objects.filter(**in_year), Count("pk")
        ),
        points_absent=_per_member(MeetingAbsence.objects.filter(**in_year), Count("pk")),
        points_grade=Coalesce(Subquery(grade), Value("")),
    )
    figures = YearFigures(
        attended=F("points_attended"),
        absent=F("points_absent"),
        grade=F("points_grade"),
        manual=lambda rule: _per_member(
            PointEntry.objects.filter(year=year, rule_id=rule.pk), Sum("points")
        ),
    )
    qs = qs.annotate(**{f"points_rule_{r.pk}": rule_value(r, figures) for r in rules})
    values = [F(f"points_rule_{r.pk}") for r in rules]
    return qs.annotate(points_total=points_total(rules, values, F("points_grade")))


def points_rules(*, using: str | None = None) -> list[PointRule]:
    return list(PointRule.objects.using(using).filter(is_active=True))


def _row(member: Member, rules: list[PointRule]) -> MemberPoints:
    row = MemberPoints(member, total=member.points_total)
    for rule in rules:
        value = getattr(member, f"points_rule_{rule.pk}")
        grade = SOURCE_GRADES.get(rule.source)
        if rule.kind == RuleKind.VETO and grade and member.points_grade == grade:
            row.vetoed_by = rule.name
        if value:
            row.lines.append((rule.name, value))
    return row


def member_points(*, user, year: int, within=None, q: str | None = None) -> MappedQuerySet:
    """Each visible member's points for the year, line by line. Ordered by organization and
    name: ranking individuals is off unless the county turns it on."""
    rules = points_rules()
    qs = annotated_points(member_list(user=user, within=within, q=q), rules, year)
    if settings.ZUZHI_POINTS_INDIVIDUAL_RANKING:
        qs = qs.order_by("-points_total", "organization__path", "name", "pk")
    # Counted, sliced and iterated in the database, each member read only with its page.
    return MappedQuerySet(qs, partial(_row, rules=rules))


@dataclass
class BranchPoints:
    organization: Organization
    members: int
    average: float
    vetoed: int


def _branch_rows(orgs: list[Organization], *, user, year: int, base: int) -> list[BranchPoints]:
    """A page of organizations with their members' average points and vetoes, grouped for
    the page's organizations only (a province has 138,000 branches)."""
    summary = {
        r["organization_id"]: r
        for r in member_scoped(user=user)
        .filter(organization_id__in=[o.pk for o in orgs])
        .annotate(kept=FilteredRelation("year_points", condition=Q(year_points__year=year)))
        .order_by()
        .values("organization_id")
        .annotate(
            n=Count("pk"),
            average=Avg(Coalesce("kept__total", Value(base))),
            vetoed=Count("pk", filter=Q(kept__vetoed=True)),
        )
    }
    rows = []
    for org in orgs:
        r = summary.get(org.pk, {"n": 0, "average": 0, "vetoed": 0})
        average = round(float(r["average"] or 0), 1)
        rows.append(BranchPoints(org, members=r["n"], average=average, vetoed=r["vetoed"]))
    return rows


def branch_points(*, user, year: int) -> PageMappedQuerySet:
    """Branch-level summary (支部积分汇总): each organization in scope with members (its kept
    figures, `orgs.figures`), in tree order, with its average points and one-vote vetoes
    grouped over the members' kept yearly points (`points.tally`); a member without a kept
    row has the yearly base points."""
    base = sum(r.points for r in points_rules() if r.source == RuleSource.YEARLY)
    orgs = org_scoped(user=user).filter(figures__members__gt=0).order_by("path", "pk")
    return PageMappedQuerySet(orgs, partial(_branch_rows, user=user, year=year, base=base))
