"""Reads of the reserves' half-year appraisal (后备力量半年考评), each starting from the reserve
scope (county staff all, township staff their township): lists, one appraisal, one reserve's
row, the ballot page's appraisal, the voting progress and the ballot counts."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zuzhi.reserves.scoping import may_manage_reserves

from . import rules
from .models import ReserveAppraisal, ReserveAppraisalStatus, ReserveAppraisalSubject


def require_manager(*, user) -> None:
    """Appraisals are county and township staff's; others get no page (a role check, not a
    scope decision about an object)."""
    if not may_manage_reserves(user):
        raise Http404("村级后备力量考评由乡镇党委和县委组织部管理。")


def appraisal_list(*, user) -> QuerySet[ReserveAppraisal]:
    return (
        ReserveAppraisal.objects.visible_to(user)
        .select_related("township")
        .annotate(
            subject_count=Count("subjects", distinct=True),
            ballot_count=Count("ballots", distinct=True),
        )
        .order_by("-year", "-half", "township__path", "-pk")
    )


def appraisal_get(*, user, pk: int) -> ReserveAppraisal:
    """One appraisal of the user's scope; the logged 404 otherwise."""
    return ReserveAppraisal.objects.select_related("township").get_visible_or_404(user, pk=pk)


def subject_get(*, user, pk: int) -> ReserveAppraisalSubject:
    return ReserveAppraisalSubject.objects.select_related(
        "appraisal__township", "candidate", "village"
    ).get_visible_or_404(user, pk=pk)


def appraisal_subjects(*, appraisal: ReserveAppraisal) -> QuerySet[ReserveAppraisalSubject]:
    """The reserves appraised: by village while voting runs, by rank once closed."""
    qs = appraisal.subjects.select_related("candidate", "village")
    if appraisal.status == ReserveAppraisalStatus.OPEN:
        return qs.order_by("order", "pk")
    return qs.order_by("rank", "order", "pk")


def ballot_appraisal_get(*, token: str) -> ReserveAppraisal:
    """The appraisal behind a ballot page's address (no login: the token is the address)."""
    appraisal = (
        ReserveAppraisal.objects.filter(ballot_token=token).select_related("township").first()
    )
    if appraisal is None:
        raise Http404("未找到该考评。")
    return appraisal


@dataclass(frozen=True)
class Progress:
    codes: int
    used: int


def appraisal_progress(*, appraisal: ReserveAppraisal) -> Progress:
    counts = appraisal.codes.aggregate(codes=Count("pk"), used=Count("pk", filter=Q(used=True)))
    return Progress(counts["codes"], counts["used"])


def appraisal_counts(*, appraisal: ReserveAppraisal) -> tuple[int, dict[int, dict]]:
    """The ballots cast and, per subject id, {dimension: {grade: n}}, one pass over them."""
    result = {pk: rules.blank_counts() for pk in appraisal.subjects.values_list("pk", flat=True)}
    ballots = 0
    for marks in appraisal.ballots.values_list("marks", flat=True).iterator():
        ballots += 1
        for subject, grades in marks.items():
            cell = result.get(int(subject))
            if cell is None:
                continue
            for d, grade in grades.items():
                cell[d][grade] += 1
    return ballots, result
