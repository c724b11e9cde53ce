"""Yearly points per member, derived from meetings, appraisals and manual entries.

The database computes them: one annotated query over the members in scope, ordered and paged
there, so a page costs the same for a branch and a county. Each active rule is one column:
the base points, meetings counted in the year (capped), the published appraisal grade, or
the sum of manual entries; a one-vote veto (一票否决) sets the year to 0.
"""

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
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

from zuzhi.appraisal.models import AppraisalSubject, RoundStatus
from zuzhi.core.paging import MappedQuerySet
from zuzhi.members.models import Member
from zuzhi.members.selectors import member_list
from zuzhi.orglife.models import Meeting, MeetingAbsence
from zuzhi.orgs.models import Organization

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


def _capped(rule: PointRule, value):
    if rule.yearly_cap is None:
        return value
    return Greatest(Value(-rule.yearly_cap), Least(Value(rule.yearly_cap), value))


def _rule_value(rule: PointRule, year: int):
    if rule.source == RuleSource.YEARLY:
        return Value(rule.points)
    if rule.source == RuleSource.MEETING_ATTENDED:
        return _capped(rule, F("points_attended") * rule.points)
    if rule.source == RuleSource.MEETING_ABSENT:
        return _capped(rule, F("points_absent") * rule.points)
    if rule.source == RuleSource.MANUAL:
        entries = PointEntry.objects.filter(year=year, rule_id=rule.pk)
        return _per_member(entries, Sum("points"))
    return Case(
        When(points_grade=SOURCE_GRADES[rule.source], then=Value(rule.points)),
        default=Value(0),
    )


def veto_q(rules: list[PointRule]) -> Q:
    grades = [SOURCE_GRADES.get(r.source) for r in rules if r.kind == RuleKind.VETO]
    grades = [g for g in grades if g]
    return Q(points_grade__in=grades) if grades else Q(pk__in=[])


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
    ).annotate(**{f"points_rule_{r.pk}": _rule_value(r, year) for r in rules})
    subtotal = sum((F(f"points_rule_{r.pk}") for r in rules), Value(0))
    return qs.annotate(points_total=Case(When(veto_q(rules), then=Value(0)), default=subtotal))


def points_rules() -> list[PointRule]:
    return list(PointRule.objects.filter(is_active=True))


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
    organization: object
    members: int
    average: float
    vetoed: int


def branch_points(*, user, year: int) -> list[BranchPoints]:
    """Branch-level summary (支部积分汇总): average points and one-vote vetoes, grouped in
    the database over the members' kept yearly points (`points.tally`); a member without a
    kept row has the yearly base points."""
    rules = points_rules()
    base = sum(r.points for r in rules if r.source == RuleSource.YEARLY)
    summary = list(
        member_list(user=user)
        .annotate(kept=FilteredRelation("year_points", condition=Q(year_points__year=year)))
        .values("organization_id")
        .annotate(
            n=Count("pk"),
            average=Avg(Coalesce("kept__total", Value(base))),
            vetoed=Count("pk", filter=Q(kept__vetoed=True)),
        )
        .order_by("organization__path")
    )
    orgs = Organization.objects.in_bulk([r["organization_id"] for r in summary])
    return [
        BranchPoints(
            organization=orgs[r["organization_id"]],
            members=r["n"],
            average=round(float(r["average"]), 1),
            vetoed=r["vetoed"],
        )
        for r in summary
    ]
