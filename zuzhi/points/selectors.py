"""Yearly points per member, derived from meetings, appraisals and manual entries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Sum

from zuzhi.appraisal.models import AppraisalSubject, RoundStatus
from zuzhi.members.models import Member
from zuzhi.members.selectors import member_list
from zuzhi.orglife.models import Meeting, MeetingAbsence

from .models import PointEntry, PointRule, RuleKind, RuleSource

GRADE_SOURCES = {
    "excellent": RuleSource.APPRAISAL_EXCELLENT,
    "basic": RuleSource.APPRAISAL_BASIC,
    "unqualified": RuleSource.APPRAISAL_UNQUALIFIED,
}


@dataclass
class MemberPoints:
    member: Member
    lines: list[tuple[str, int]] = field(default_factory=list)
    vetoed_by: str = ""

    @property
    def total(self) -> int:
        return 0 if self.vetoed_by else sum(p for _, p in self.lines)


def _capped(rule: PointRule, value: int) -> int:
    if rule.yearly_cap is None:
        return value
    return max(-rule.yearly_cap, min(rule.yearly_cap, value))


def member_points(*, user, year: int, within=None, q: str | None = None) -> list[MemberPoints]:
    """Each visible member's points for the year, line by line. Ordered by organization and
    name: ranking individuals is off unless the county turns it on."""
    members = list(member_list(user=user, within=within, q=q))
    ids = [m.pk for m in members]
    rules = list(PointRule.objects.filter(is_active=True))
    attended = dict(
        Meeting.attendees.through.objects.filter(member_id__in=ids, meeting__date__year=year)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    absent = dict(
        MeetingAbsence.objects.filter(member_id__in=ids, meeting__date__year=year)
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    grades = dict(
        AppraisalSubject.objects.filter(
            member_id__in=ids, round__year=year, round__status=RoundStatus.PUBLISHED
        )
        .exclude(grade="")
        .values_list("member_id", "grade")
    )
    manual: dict[tuple[int, int], int] = {}
    for member_id, rule_id, total in (
        PointEntry.objects.filter(member_id__in=ids, year=year)
        .values_list("member_id", "rule_id")
        .annotate(s=Sum("points"))
        .order_by()
    ):
        manual[(member_id, rule_id)] = total
    result = []
    for member in members:
        row = MemberPoints(member)
        for rule in rules:
            if rule.source == RuleSource.YEARLY:
                value = rule.points
            elif rule.source == RuleSource.MEETING_ATTENDED:
                value = _capped(rule, attended.get(member.pk, 0) * rule.points)
            elif rule.source == RuleSource.MEETING_ABSENT:
                value = _capped(rule, absent.get(member.pk, 0) * rule.points)
            elif rule.source == RuleSource.MANUAL:
                value = manual.get((member.pk, rule.pk), 0)
            else:
                triggered = GRADE_SOURCES.get(grades.get(member.pk, "")) == rule.source
                if triggered and rule.kind == RuleKind.VETO:
                    row.vetoed_by = rule.name
                value = rule.points if triggered else 0
            if value:
                row.lines.append((rule.name, value))
        result.append(row)
    if settings.ZUZHI_POINTS_INDIVIDUAL_RANKING:
        result.sort(key=lambda r: -r.total)
    return result


@dataclass
class BranchPoints:
    organization: object
    members: int
    average: float
    vetoed: int


def branch_points(*, user, year: int) -> list[BranchPoints]:
    """Branch-level summary (支部积分汇总): average points and one-vote vetoes."""
    by_org: dict[int, list[MemberPoints]] = {}
    for row in member_points(user=user, year=year):
        by_org.setdefault(row.member.organization_id, []).append(row)
    return [
        BranchPoints(
            organization=rows[0].member.organization,
            members=len(rows),
            average=round(sum(r.total for r in rows) / len(rows), 1),
            vetoed=sum(1 for r in rows if r.vetoed_by),
        )
        for rows in by_org.values()
    ]
