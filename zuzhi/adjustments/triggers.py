"""The five triggers (五个即调) as rules over the data the other apps keep. Each rule returns
the causes it finds now; `services.cases_raise` turns new ones into cases. Every rule is a
fixed handful of set-based queries, whatever the number of cadres (bench/triggers.py).

`cadre_ids` narrows a rule to the cadres whose data just changed; None evaluates all."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from zuzhi.archive.models import ArchiveEntry, EntryKind, SupervisionKind
from zuzhi.archive.selectors import active_supervision_records, quarter_bounds, quarter_label
from zuzhi.cadres.models import (
    AnnualAssessment,
    AssessmentResult,
    Cadre,
    PostHolding,
    TeamPost,
)
from zuzhi.contests.models import ContestStatus, ResultRow, ResultVersion, VersionStatus
from zuzhi.team_appraisal.selectors import appraisal_flags
from zuzhi.three_ones.models import Aspect, Problem
from zuzhi.three_ones.selectors import months_before

from .models import AdjustmentCase, CaseCause, CaseStatus, Trigger
from .rules import WINDOW_MONTHS, Thresholds


@dataclass(frozen=True)
class Cause:
    """A cause found by a rule: `key` names what it was taken from, so that it is raised once."""

    trigger: str
    subject: str
    key: str
    text: str
    occurred_on: datetime.date
    organization_id: int
    cadre_id: int | None = None
    team_post_id: int | None = None


def cadre_subject(cadre_id: int) -> str:
    return f"cadre:{cadre_id}"


def post_subject(post_id: int) -> str:
    return f"post:{post_id}"


def _cadre_cause(trigger, row_cadre: int, org: int, key: str, text: str, day) -> Cause:
    return Cause(
        trigger=trigger,
        subject=cadre_subject(row_cadre),
        key=key,
        text=text[:255],
        occurred_on=day,
        organization_id=org,
        cadre_id=row_cadre,
    )


def _narrow(qs, cadre_ids, field: str = "cadre_id"):
    return qs if cadre_ids is None else qs.filter(**{f"{field}__in": list(cadre_ids)})


def vacant_posts(*, today, th: Thresholds, cadre_ids=None) -> list[Cause]:
    """职务空缺: a team post with fewer holders than seats for more than N days (TeamPost.
    vacant_since is kept by the team services). A vacancy hangs on no cadre."""
    if cadre_ids is not None:
        return []
    limit = today - datetime.timedelta(days=th.vacant_days)
    rows = TeamPost.objects.filter(vacant_since__lt=limit).values_list(
        "pk", "title", "vacant_since", "team__name", "team__organization_id"
    )
    return [
        Cause(
            trigger=Trigger.VACANT_POST,
            subject=post_subject(pk),
            key=f"vacant:{since.isoformat()}",
            text=f"{team} {title} 自 {since:%Y-%m-%d} 起空缺，至 {today:%Y-%m-%d} 已 {(today - since).days} 天",
            occurred_on=since,
            organization_id=org,
            team_post_id=pk,
        )
        for pk, title, since, team, org in rows.order_by()
    ]


def discipline(*, today, th: Thresholds, cadre_ids=None) -> list[Cause]:
    """纪法出事: an open supervision record of the discipline kinds within 12 months
    (excused or cleared records are not open and feed nothing)."""
    labels = dict(SupervisionKind.choices)
    rows = _narrow(
        active_supervision_records().filter(
            kind__in=th.discipline_kinds,
            date__gte=months_before(today, WINDOW_MONTHS),
            date__lte=today,
            cadre__is_active=True,
        ),
        cadre_ids,
    ).values_list("pk", "cadre_id", "cadre__organization_id", "kind", "date", "source")
    return [
        _cadre_cause(
            Trigger.DISCIPLINE,
            cadre,
            org,
            f"supervision:{pk}",
            f"{day:%Y-%m-%d} {labels.get(kind, kind)}（{source}）",
            day,
        )
        for pk, cadre, org, kind, day, source in rows.order_by()
    ]


def _bottom_rankings(*, today, th: Thresholds, cadre_ids) -> list[Cause]:
    since = timezone.make_aware(
        datetime.datetime.combine(months_before(today, WINDOW_MONTHS), datetime.time.min)
    )
    versions = {
        v.pk: v
        for v in ResultVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            published_at__gte=since,
            contest__status=ContestStatus.PUBLISHED,
            contest__is_template=False,
        ).select_related("contest")
    }
    if not versions:
        return []
    # Organizations' places only: not members', not talents' (a talent award's rows carry the
    # county node as their organization).
    ranked = ResultRow.objects.filter(
        version__in=list(versions), entrant__member__isnull=True, entrant__talent__isnull=True
    )
    totals = dict(
        ranked.values("version").annotate(n=Count("pk")).values_list("version", "n").order_by()
    )
    bottom = Q(pk__in=[])
    for version, total in totals.items():
        bottom |= Q(version=version, rank__gt=total - th.bottom_places)
    places = {}
    for version, org, name, short, rank in (
        ranked.filter(bottom)
        .values_list(
            "version",
            "entrant__organization_id",
            "entrant__name",
            "entrant__organization__short_name",
            "rank",
        )
        .order_by("version", "rank")
    ):
        places.setdefault(org, []).append((versions[version], short or name, rank))
    if not places:
        return []
    holdings = _narrow(
        PostHolding.objects.filter(
            end__isnull=True,
            leadership_level__endswith="_chief",
            team_post__team__organization__in=list(places),
            cadre__is_active=True,
        ),
        cadre_ids,
    ).values_list("cadre_id", "cadre__organization_id", "team_post__team__organization_id")
    causes = []
    for cadre, org, unit in holdings.distinct().order_by():
        for version, name, rank in places[unit]:
            contest = version.contest
            causes.append(
                _cadre_cause(
                    Trigger.BOTTOM,
                    cadre,
                    org,
                    f"contest:{contest.pk}",
                    f"{name} 在 {contest.name} 中排名第 {rank}/{totals[version.pk]}",
                    timezone.localdate(version.published_at),
                )
            )
    return causes


def bottom(*, today, th: Thresholds, cadre_ids=None) -> list[Cause]:
    """业绩倒数: the cadre's unit among the last N of a contest or index published within 12
    months (the leaders: chief posts of the unit's teams), or an annual grade of 基本称职 or
    不称职 for last year or this year."""
    labels = dict(AssessmentResult.choices)
    grades = _narrow(
        AnnualAssessment.objects.filter(
            result__in=th.bottom_grades, year__gte=today.year - 1, cadre__is_active=True
        ),
        cadre_ids,
    ).values_list("cadre_id", "cadre__organization_id", "year", "result")
    return _bottom_rankings(today=today, th=th, cadre_ids=cadre_ids) + [
        _cadre_cause(
            Trigger.BOTTOM,
            cadre,
            org,
            f"grade:{year}",
            f"{year} 年度考核{labels.get(result, result)}",
            datetime.date(year, 12, 31) if year < today.year else today,
        )
        for cadre, org, year, result in grades.order_by()
    ]


def _last_decided(trigger: str, cadre_ids: Iterable[int]) -> dict[int, datetime.date]:
    """When each cadre's last case of `trigger` was decided: a decided case has weighed the
    evidence before it, so a count-based rule counts only what came after."""
    return dict(
        AdjustmentCase.objects.filter(
            trigger=trigger, status=CaseStatus.DECIDED, cadre_id__in=list(cadre_ids)
        )
        .values("cadre_id")
        .annotate(last=Max("decided_on"))
        .values_list("cadre_id", "last")
        .order_by()
    )


def _ability_problems(*, today, th: Thresholds, cadre_ids) -> list[Cause]:
    problems = Problem.objects.filter(
        problem_type__aspect=Aspect.ABILITY,
        found_on__gte=months_before(today, WINDOW_MONTHS),
        found_on__lte=today,
        cadre__is_active=True,
    )
    problems = _narrow(problems, cadre_ids)
    over = list(
        problems.values("cadre_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=th.ability_problems)
        .values_list("cadre_id", flat=True)
        .order_by()
    )
    # An open case that already holds an ability cause is weighing these problems: the
    # window sliding on would only add the same finding again with another count.
    covered = set(
        CaseCause.objects.filter(
            trigger=Trigger.MISMATCH,
            key__startswith="ability:",
            case__status=CaseStatus.OPEN,
            case__cadre_id__in=over,
        ).values_list("case__cadre_id", flat=True)
    )
    over = [c for c in over if c not in covered]
    if not over:
        return []
    decided = _last_decided(Trigger.MISMATCH, over)
    found: dict[int, list] = {}
    for pk, cadre, org, day in (
        problems.filter(cadre_id__in=over)
        .values_list("pk", "cadre_id", "cadre__organization_id", "found_on")
        .order_by("cadre_id", "found_on", "pk")
    ):
        if cadre not in decided or day > decided[cadre]:
            found.setdefault(cadre, []).append((pk, org, day))
    causes = []
    for cadre, rows in found.items():
        if len(rows) >= th.ability_problems:
            pk, org, day = rows[th.ability_problems - 1]
            causes.append(
                _cadre_cause(
                    Trigger.MISMATCH,
                    cadre,
                    org,
                    f"ability:{pk}",
                    f"12 个月内“三个一”发现能力方面问题 {len(rows)} 个",
                    day,
                )
            )
    return causes


def mismatch(*, today, th: Thresholds, cadre_ids=None) -> list[Cause]:
    """人岗不适: 能力 problems from the three ones at or above the threshold within 12 months,
    or a democratic appraisal within 12 months with 优秀+称职 below 2/3 or 不称职 above 1/3."""
    causes = _ability_problems(today=today, th=th, cadre_ids=cadre_ids)
    flags = appraisal_flags(cadre_ids=cadre_ids, since=months_before(today, WINDOW_MONTHS))
    flagged = {c: f for c, f in flags.items() if f.below_approval or f.above_unfit}
    if not flagged:
        return causes
    orgs = dict(
        Cadre.objects.filter(pk__in=list(flagged), is_active=True)
        .values_list("pk", "organization_id")
        .order_by()
    )
    for cadre, flag in flagged.items():
        if cadre not in orgs:
            continue
        parts = [f"优秀+称职 {flag.approval:.1%}"]
        if flag.above_unfit:
            parts.append(f"不称职 {flag.unfit:.1%}")
        causes.append(
            _cadre_cause(
                Trigger.MISMATCH,
                cadre,
                orgs[cadre],
                f"appraisal:{flag.appraisal_id}",
                f"{flag.closed_on:%Y-%m-%d} 民主测评 {'，'.join(parts)}",
                flag.closed_on,
            )
        )
    return causes


def inaction_window(today: datetime.date, quarters: int) -> datetime.date:
    """The first day of the window: `quarters` whole quarters before the current one."""
    start, _ = quarter_bounds(today)
    for _ in range(quarters):
        start, _ = quarter_bounds(start - datetime.timedelta(days=1))
    return start


def inaction(*, today, th: Thresholds, cadre_ids=None) -> list[Cause]:
    """躺平无为: no standing achievement in the archive since the start of the last
    `inaction_quarters` whole quarters, and a 作风 problem found in that time."""
    start = inaction_window(today, th.inaction_quarters)
    # Uncorrelated: PostgreSQL hashes it once (a correlated EXISTS was planned as a nested
    # loop over every problem, seconds at 5,000 cadres).
    achievers = ArchiveEntry.objects.filter(
        kind=EntryKind.ACHIEVEMENT,
        date__gte=start,
        date__lte=today,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).values("cadre_id")
    rows = _narrow(
        Problem.objects.filter(
            problem_type__aspect=Aspect.CONDUCT,
            found_on__gte=start,
            found_on__lte=today,
            cadre__is_active=True,
        ),
        cadre_ids,
    )
    rows = (
        rows.exclude(cadre_id__in=achievers)
        .values("cadre_id", "cadre__organization_id")
        .annotate(first=Min("found_on"), n=Count("pk"))
        .values_list("cadre_id", "cadre__organization_id", "first", "n")
        .order_by()
    )
    since = quarter_label(start)
    return [
        _cadre_cause(
            Trigger.INACTION,
            cadre,
            org,
            f"inaction:{start.isoformat()}",
            f"自{since}起实绩档案无实绩条目，且发现作风方面问题 {n} 个",
            first,
        )
        for cadre, org, first, n in rows
    ]


RULES: dict[str, Callable[..., list[Cause]]] = {
    Trigger.VACANT_POST: vacant_posts,
    Trigger.DISCIPLINE: discipline,
    Trigger.BOTTOM: bottom,
    Trigger.MISMATCH: mismatch,
    Trigger.INACTION: inaction,
}
