import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from zuzhi.members.services import add_years
from zuzhi.reserve_use.selectors import open_reserve_exists

from .models import Candidate, Stage
from .services import MAX_EXTENSION_MONTHS, add_months


def candidate_list(*, user, stage: str | None = None) -> QuerySet[Candidate]:
    """Who is at which step of recruitment (发展党员进度); village reserves (后备力量) first,
    as priority applicants (优先发展), marked `is_reserve`."""
    qs = Candidate.objects.visible_to(user).exclude(stage=Stage.WITHDRAWN)
    if stage:
        qs = qs.filter(stage=stage)
    return (
        qs.select_related("organization")
        .annotate(is_reserve=open_reserve_exists())
        .order_by("-is_reserve", "stage", "applied_on", "pk")
    )


def candidate_get(*, user, pk) -> Candidate:
    return Candidate.objects.select_related("organization", "member").get_visible_or_404(
        user, pk=pk
    )


def candidate_stage_counts(*, user) -> list[tuple[str, str, int]]:
    """(stage, label, count) for the pipeline, in order."""
    counts = dict(candidate_list(user=user).values_list("stage").annotate(n=Count("id")).order_by())
    return [
        (s, Stage(s).label, counts.get(s, 0))
        for s in Stage.values
        if s not in (Stage.WITHDRAWN, Stage.FULL)
    ]


@dataclass(frozen=True)
class StepsDue:
    """Candidates whose waiting period is over, so the branch should take the next step
    (发展党员到期提醒): activists of a year or more, probationers at the end of probation."""

    activists: int
    activists_oldest: datetime.date | None  # the earliest 确定为入党积极分子日期
    probationers: int
    probationers_oldest: datetime.date | None  # the earliest 接收为预备党员日期


def recruitment_steps_due(*, user, today: datetime.date | None = None) -> StepsDue:
    """The rules of `earliest_next_step` for the two waits the regulations fix, as one grouped
    query: a year for an activist, a year (plus any extension) for a probationer. Counting
    the extension back from today may differ from `earliest_next_step` by the days a short
    month clips (31 January + 1 month): a reminder, not the guard the step itself checks."""
    today = today or timezone.localdate()
    a_year_ago = add_years(today, -1)
    probation_over = Q()
    for months in range(MAX_EXTENSION_MONTHS + 1):
        probation_over |= Q(
            extension_months=months, admitted_on__lte=add_months(a_year_ago, -months)
        )
    activist = Q(stage=Stage.ACTIVIST, activist_on__lte=a_year_ago)
    probationer = Q(stage=Stage.PROBATIONARY) & probation_over
    row = Candidate.objects.visible_to(user).aggregate(
        activists=Count("pk", filter=activist),
        activists_oldest=Min("activist_on", filter=activist),
        probationers=Count("pk", filter=probationer),
        probationers_oldest=Min("admitted_on", filter=probationer),
    )
    return StepsDue(**row)
