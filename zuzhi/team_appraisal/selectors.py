"""Reads of the democratic appraisal (民主测评): the cadre section's rounds and results, the
ballot page's round, and the one read the adjustment triggers make (`appraisal_flags`)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zuzhi.cadres.models import LeadershipTeam
from zuzhi.cadres.models.scoping import cadre_section_q, visible_or_404
from zuzhi.cadres.rank_selectors import require_cadre_staff

from .models import (
    BALLOT_GRADES,
    OVERALL,
    AppraisalStatus,
    Dimension,
    TeamAppraisal,
    TeamAppraisalResult,
)


def appraisal_list(*, user) -> QuerySet[TeamAppraisal]:
    require_cadre_staff(user)
    return (
        TeamAppraisal.objects.visible_to(user)
        .select_related("team__organization")
        .annotate(ballot_count=Count("ballots", distinct=True))
        .order_by("-opened_on", "-pk")
    )


def appraisal_get(*, user, pk: int) -> TeamAppraisal:
    return visible_or_404(TeamAppraisal.objects.select_related("team__organization"), user, pk=pk)


def appraisal_teams(*, user) -> QuerySet[LeadershipTeam]:
    """The teams the cadre section may appraise: those in its subtree."""
    q = cadre_section_q(user, "organization__path")
    if q is None:
        return LeadershipTeam.objects.none()
    return LeadershipTeam.objects.filter(q).select_related("organization")


def ballot_appraisal_get(*, token: str) -> TeamAppraisal:
    """The round behind a ballot page's address (no login: the token is the address)."""
    appraisal = TeamAppraisal.objects.filter(ballot_token=token).select_related("team").first()
    if appraisal is None:
        raise Http404("未找到该测评。")
    return appraisal


@dataclass(frozen=True)
class GroupProgress:
    name: str
    weight: Decimal
    codes: int
    used: int


def appraisal_progress(appraisal: TeamAppraisal) -> list[GroupProgress]:
    """Codes issued and used per rater group (what the page shows while voting runs)."""
    return [
        GroupProgress(g.name, g.weight, g.code_count, g.used_count)
        for g in appraisal.groups.annotate(
            code_count=Count("codes"), used_count=Count("codes", filter=Q(codes__used=True))
        ).order_by("order", "pk")
    ]


def appraisal_tallies(appraisal: TeamAppraisal) -> dict[int, dict]:
    """The counts of the round's ballots: {subject id: {group id: {"ballots", "overall":
    {grade: n}, "dimensions": {dim: {grade: n}}}}}, one pass over the ballots."""
    groups = list(appraisal.groups.values_list("pk", flat=True))
    empty = {g: 0 for g in BALLOT_GRADES}

    def blank() -> dict:
        return {
            "ballots": 0,
            "overall": dict(empty),
            "dimensions": {d: dict(empty) for d in Dimension.values},
        }

    result = {
        s: {g: blank() for g in groups} for s in appraisal.subjects.values_list("pk", flat=True)
    }
    for group_id, marks in appraisal.ballots.values_list("group_id", "marks"):
        for subject, grades in marks.items():
            cell = result.get(int(subject), {}).get(group_id)
            if cell is None:
                continue
            cell["ballots"] += 1
            cell["overall"][grades[OVERALL]] += 1
            for d in Dimension.values:
                cell["dimensions"][d][grades[d]] += 1
    return result


@dataclass(frozen=True)
class GroupCounts:
    name: str
    weight: str
    ballots: int
    overall: list[int]  # in the order of BALLOT_GRADES
    dimensions: dict[str, list[int]]


@dataclass(frozen=True)
class ResultRow:
    cadre_id: int
    name: str
    post: str
    approval: Decimal
    unfit: Decimal
    below_approval: bool
    above_unfit: bool
    groups: list[GroupCounts]

    @property
    def approval_percent(self) -> str:
        return f"{self.approval * 100:.2f}%"

    @property
    def unfit_percent(self) -> str:
        return f"{self.unfit * 100:.2f}%"


def appraisal_results(appraisal: TeamAppraisal) -> list[ResultRow]:
    """Each cadre's fixed result, in the team's post order; empty while voting runs."""
    if appraisal.status != AppraisalStatus.CLOSED:
        return []
    posts = {
        s.cadre_id: (s.order, s.post) for s in appraisal.subjects.only("cadre_id", "order", "post")
    }
    rows = []
    for r in appraisal.results.select_related("cadre").only(
        "cadre__name", "approval", "unfit", "below_approval", "above_unfit", "counts", "cadre_id"
    ):
        groups = [
            GroupCounts(
                name=c["name"],
                weight=c["weight"],
                ballots=c["ballots"],
                overall=[c["overall"][g] for g in BALLOT_GRADES],
                dimensions={d: [n[g] for g in BALLOT_GRADES] for d, n in c["dimensions"].items()},
            )
            for c in r.counts.values()
        ]
        rows.append(
            ResultRow(
                cadre_id=r.cadre_id,
                name=r.cadre.name,
                post=posts.get(r.cadre_id, (0, ""))[1],
                approval=r.approval,
                unfit=r.unfit,
                below_approval=r.below_approval,
                above_unfit=r.above_unfit,
                groups=groups,
            )
        )
    rows.sort(key=lambda row: posts.get(row.cadre_id, (0, ""))[0])
    return rows


@dataclass(frozen=True)
class AppraisalFlag:
    """A cadre's latest closed democratic appraisal, as the triggers read it."""

    appraisal_id: int
    closed_on: datetime.date
    approval: Decimal
    unfit: Decimal
    below_approval: bool  # 优秀+称职 below ZUZHI_APPRAISAL_APPROVAL_MIN: admonish or adjust
    above_unfit: bool  # 不称职 above ZUZHI_APPRAISAL_UNFIT_MAX: removal


def appraisal_flags(
    *, cadre_ids: list[int] | None = None, since: datetime.date
) -> dict[int, AppraisalFlag]:
    """For each cadre (all, or those of `cadre_ids`) whose latest closed appraisal closed on
    or after `since`: that appraisal's shares and flags. One indexed query, whatever the number
    of cadres. No user: the triggers read it as the system; pages go through `appraisal_get`."""
    rows = TeamAppraisalResult.objects.filter(closed_on__gte=since)
    if cadre_ids is not None:
        rows = rows.filter(cadre_id__in=list(cadre_ids))
    flags: dict[int, AppraisalFlag] = {}
    for cadre_id, appraisal_id, closed_on, approval, unfit, below, above in rows.order_by(
        "cadre_id", "-closed_on", "-appraisal_id"
    ).values_list(
        "cadre_id",
        "appraisal_id",
        "closed_on",
        "approval",
        "unfit",
        "below_approval",
        "above_unfit",
    ):
        if cadre_id not in flags:
            flags[cadre_id] = AppraisalFlag(appraisal_id, closed_on, approval, unfit, below, above)
    return flags
