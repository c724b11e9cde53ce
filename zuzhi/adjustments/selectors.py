"""Reads of the adjustment cases (五个即调): the cadre section's only. Everything starts from
AdjustmentCase.objects.visible_to (cadres.models.scoping): the section's subtree; a cadre's
own account sees no case, not even one about them."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from zuzhi.archive.models import SupervisionRecord
from zuzhi.archive.selectors import entries_of, require_staff
from zuzhi.cadres.models import AnnualAssessment, PostHolding
from zuzhi.team_appraisal.selectors import appraisal_flags
from zuzhi.three_ones.models import Contact, Problem
from zuzhi.three_ones.selectors import months_before

from .models import AdjustmentCase, CaseStatus, Trigger
from .rules import WINDOW_MONTHS


def case_list(
    *, user, trigger: str | None = None, status: str | None = None, q: str = ""
) -> QuerySet[AdjustmentCase]:
    """The cases the user's cadre section sees, newest first, by trigger, state and name."""
    qs = AdjustmentCase.objects.visible_to(user).select_related(
        "cadre", "team_post__team", "organization"
    )
    if trigger:
        qs = qs.filter(trigger=trigger)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(cadre__name__contains=q) | Q(team_post__team__name__contains=q))
    return qs.order_by("-opened_at", "-pk")


def case_get(*, user, pk) -> AdjustmentCase:
    require_staff(user)
    return AdjustmentCase.objects.select_related(
        "cadre", "team_post__team", "organization", "decided_by"
    ).get_visible_or_404(user, pk=pk)


@dataclass
class OpenCases:
    count: int
    oldest: datetime.datetime | None


def open_cases(*, user) -> OpenCases:
    """The home to-do: cases waiting for the section's decision, one aggregate query."""
    found = (
        AdjustmentCase.objects.visible_to(user)
        .filter(status=CaseStatus.OPEN)
        .aggregate(count=Count("pk"), oldest=Min("opened_at"))
    )
    return OpenCases(**found)


@dataclass
class CountRow:
    trigger: str
    label: str
    open: int
    decided: int

    @property
    def total(self) -> int:
        return self.open + self.decided


def case_counts(*, user) -> list[CountRow]:
    """The county view: cases by trigger and state, one aggregate query."""
    counts = {
        (t, s): n
        for t, s, n in AdjustmentCase.objects.visible_to(user)
        .values("trigger", "status")
        .annotate(n=Count("pk"))
        .values_list("trigger", "status", "n")
        .order_by()
    }
    return [
        CountRow(
            trigger=value,
            label=label,
            open=counts.get((value, CaseStatus.OPEN), 0),
            decided=counts.get((value, CaseStatus.DECIDED), 0),
        )
        for value, label in Trigger.choices
    ]


@dataclass
class Evidence:
    """The trail a decision weighs: the 12 months before today of the cadre's archive, the
    three-ones contacts and problems about them, grades, the supervision file (excused and
    cleared records shown as such), the latest democratic appraisal and the posts held; for a
    vacant post, who held it."""

    since: datetime.date
    entries: list
    contacts: list
    problems: list
    assessments: list
    supervision: list
    appraisal: str  # the latest democratic appraisal's shares, "" when none in the window
    holdings: list


def _appraisal_text(flag) -> str:
    if flag is None:
        return ""
    return f"{flag.closed_on:%Y-%m-%d} 民主测评：优秀+称职 {flag.approval:.1%}，不称职 {flag.unfit:.1%}"


def case_evidence(*, case: AdjustmentCase) -> Evidence:
    since = months_before(timezone.localdate(), WINDOW_MONTHS)
    if case.cadre_id is None:
        holdings = list(
            PostHolding.objects.filter(team_post=case.team_post_id)
            .select_related("cadre")
            .order_by("-start")[:20]
        )
        return Evidence(since, [], [], [], [], [], "", holdings)
    cadre = case.cadre
    return Evidence(
        since=since,
        entries=list(entries_of(cadre=cadre).filter(date__gte=since)[:100]),
        contacts=list(
            Contact.objects.filter(cadres=cadre, date__gte=since)
            .select_related("team")
            .order_by("-date", "-pk")[:50]
        ),
        problems=list(
            Problem.objects.filter(cadre=cadre, found_on__gte=since)
            .select_related("problem_type")
            .order_by("-found_on", "-pk")[:50]
        ),
        assessments=list(AnnualAssessment.objects.filter(cadre=cadre).order_by("-year")[:5]),
        supervision=list(SupervisionRecord.objects.filter(cadre=cadre).order_by("-date", "-pk")),
        appraisal=_appraisal_text(appraisal_flags(cadre_ids=[cadre.pk], since=since).get(cadre.pk)),
        holdings=list(PostHolding.objects.filter(cadre=cadre).order_by("-start")[:10]),
    )
