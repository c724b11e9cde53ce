"""The points rule written out in Python, member by member (the former implementation, kept
as the readable reference the database's computations are checked against)."""

from zuzhi.appraisal.models import AppraisalSubject, RoundStatus
from zuzhi.orglife.models import Meeting, MeetingAbsence
from zuzhi.points.models import PointEntry, PointRule, RuleKind, RuleSource
from zuzhi.points.selectors import GRADE_SOURCES

YEAR = 2026


def reference_points(members, year):
    """Each member's (lines, vetoed_by, total), computed row by row."""
    rules = list(PointRule.objects.filter(is_active=True))
    result = {}
    for member in members:
        attended = Meeting.attendees.through.objects.filter(
            member_id=member.pk, meeting__date__year=year
        ).count()
        absent = MeetingAbsence.objects.filter(member=member, meeting__date__year=year).count()
        grade = (
            AppraisalSubject.objects.filter(
                member=member, round__year=year, round__status=RoundStatus.PUBLISHED
            )
            .exclude(grade="")
            .order_by("-pk")
            .values_list("grade", flat=True)
            .first()
        )
        lines, vetoed_by = [], ""
        for rule in rules:
            cap = rule.yearly_cap

            def capped(v, cap=cap):
                return v if cap is None else max(-cap, min(cap, v))

            if rule.source == RuleSource.YEARLY:
                value = rule.points
            elif rule.source == RuleSource.MEETING_ATTENDED:
                value = capped(attended * rule.points)
            elif rule.source == RuleSource.MEETING_ABSENT:
                value = capped(absent * rule.points)
            elif rule.source == RuleSource.MANUAL:
                value = sum(
                    PointEntry.objects.filter(member=member, year=year, rule=rule).values_list(
                        "points", flat=True
                    )
                )
            else:
                triggered = GRADE_SOURCES.get(grade or "") == rule.source
                if triggered and rule.kind == RuleKind.VETO:
                    vetoed_by = rule.name
                value = rule.points if triggered else 0
            if value:
                lines.append((rule.name, value))
        total = 0 if vetoed_by else sum(v for _, v in lines)
        result[member.pk] = (lines, vetoed_by, total)
    return result
