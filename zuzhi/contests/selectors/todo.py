"""What contests ask of a user on the home page (首页待办): data to fill, scores to give and
supervision cases to close, each counted by grouped queries (one per subject, whatever the
number of entrants)."""

import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from ..models import (
    Appearance,
    AppearanceStatus,
    CaseStatus,
    Contest,
    ContestStatus,
    Entrant,
    Indicator,
    IndicatorValue,
    ScoreSheet,
    Stage,
    StageKind,
    SupervisionCase,
)
from ..rules import contest_reach_q


def indicator_values_missing(*, user) -> list[tuple[Contest, int]]:
    """Running contests in which the user's own entrants still lack indicator values (指标数据
    待填报): [(contest, values missing)], the earliest ending first."""
    scope = contest_reach_q(user)
    if scope is None:
        return []
    contests = Contest.objects.filter(
        scope,
        status=ContestStatus.RUNNING,
        is_template=False,
        stages__kind=StageKind.INDICATORS,
    ).distinct()
    leaf = Q(stage__kind=StageKind.INDICATORS, children__isnull=True)
    leaves = dict(
        Indicator.objects.filter(leaf, stage__contest__in=contests)
        .values_list("stage__contest")
        .annotate(n=Count("pk"))
        .order_by()
    )
    entrants = dict(
        Entrant.objects.visible_to(user)
        .filter(contest__in=contests)
        .values_list("contest")
        .annotate(n=Count("pk"))
        .order_by()
    )
    values = dict(
        IndicatorValue.objects.visible_to(user)
        .filter(
            entrant__contest__in=contests,
            indicator__stage__kind=StageKind.INDICATORS,
            indicator__children__isnull=True,
        )
        .values_list("entrant__contest")
        .annotate(n=Count("pk"))
        .order_by()
    )
    missing = {
        pk: leaves.get(pk, 0) * n - values.get(pk, 0) for pk, n in entrants.items() if pk in leaves
    }
    shown = Contest.objects.filter(pk__in=[pk for pk, n in missing.items() if n > 0])
    return [
        (c, missing[c.pk])
        for c in sorted(shown, key=lambda c: (c.ends_on or datetime.date.max, c.pk))
    ]


def judge_scores_due(*, user) -> list[tuple[Stage, int]]:
    """Judges' stages of running contests where the judge still has entrants to score (待评分):
    [(stage, entrants neither scored by them nor closed)], in the order the contests were set
    up. One count per seat: a judge sits on a few stages, whatever the size of the county."""
    if not getattr(user, "is_authenticated", False):
        return []
    stages = (
        Stage.objects.filter(
            seats__judge=user, kind=StageKind.JUDGES, contest__status=ContestStatus.RUNNING
        )
        .select_related("contest")
        .order_by("contest", "order")
    )
    due = []
    for stage in stages:
        scored = ScoreSheet.objects.filter(stage=stage, entrant=OuterRef("pk"), judge=user)
        closed = Appearance.objects.filter(
            stage=stage, entrant=OuterRef("pk"), status=AppearanceStatus.CLOSED
        )
        n = (
            Entrant.objects.filter(contest=stage.contest_id)
            .exclude(Exists(scored))
            .exclude(Exists(closed))
            .count()
        )
        if n:
            due.append((stage, n))
    return due


def supervision_open(*, user, today: datetime.date | None = None) -> list[dict]:
    """Open supervision cases (督办中) on entrants in the user's scope, by contest, the
    earliest deadline first: [{"contest", "count", "overdue", "oldest"}]."""
    today = today or timezone.localdate()
    rows = list(
        SupervisionCase.objects.visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .values("contest")
        .annotate(
            count=Count("pk"),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
            oldest=Min("deadline"),
        )
        .order_by("oldest", "contest")
    )
    contests = Contest.objects.in_bulk([r["contest"] for r in rows])
    return [r | {"contest": contests[r["contest"]]} for r in rows]
