"""API of the democratic appraisal (/api/team-appraisals): list, open (the codes come back
once), close, results. Thin adapters over services and selectors; the cadre section's only."""

import datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from zuzhi.cadres.rank_selectors import require_cadre_staff
from zuzhi.cadres.team_selectors import team_get
from zuzhi.core.params import ObjectId

from . import selectors, services
from .models import BALLOT_GRADES, AppraisalStatus, Dimension

router = Router(tags=["民主测评"])


class TeamAppraisalOut(Schema):
    id: int
    team_id: int
    team_name: str
    year: int
    opened_on: datetime.date
    status: AppraisalStatus
    closed_on: datetime.date | None


class TeamAppraisalGroupIn(Schema):
    name: str = Field(..., min_length=1, max_length=40)
    weight: Decimal = Field(..., gt=0, le=100, decimal_places=2, description="权重（%），合计 100")
    codes: int = Field(..., ge=1, le=services.MAX_CODES_PER_GROUP, description="选票码数量")


class TeamAppraisalIn(Schema):
    team_id: ObjectId
    year: int = Field(..., ge=1900, le=2100)
    opened_on: datetime.date | None = None
    groups: list[TeamAppraisalGroupIn] = Field(..., max_length=20)


class TeamAppraisalCodesOut(Schema):
    group: str
    codes: list[str]


class TeamAppraisalCreatedOut(TeamAppraisalOut):
    ballot_path: str = Field(..., description="投票页面地址（无需登录，凭选票码投票）")
    codes: list[TeamAppraisalCodesOut] = Field(..., description="选票码明文，只返回这一次")


class TeamAppraisalGroupResultOut(Schema):
    name: str
    weight: str
    ballots: int
    overall: dict[str, int] = Field(..., description="综合评价各等次票数")
    dimensions: dict[str, dict[str, int]] = Field(..., description="德能勤绩廉各等次票数")


class TeamAppraisalResultOut(Schema):
    cadre_id: int
    name: str
    post: str
    approval: str = Field(..., description="优秀和称职的加权占比，如 0.6667")
    unfit: str = Field(..., description="不称职的加权占比")
    below_approval: bool
    above_unfit: bool
    groups: list[TeamAppraisalGroupResultOut]


class TeamAppraisalResultsOut(TeamAppraisalOut):
    results: list[TeamAppraisalResultOut] = Field(..., description="测评结束后才有结果")


def _out(a) -> dict:
    return {
        "id": a.pk,
        "team_id": a.team_id,
        "team_name": a.team.name,
        "year": a.year,
        "opened_on": a.opened_on,
        "status": a.status,
        "closed_on": a.closed_on,
    }


def _results_out(a) -> dict:
    grades = [g.value for g in BALLOT_GRADES]
    return {
        **_out(a),
        "results": [
            {
                "cadre_id": r.cadre_id,
                "name": r.name,
                "post": r.post,
                "approval": str(r.approval),
                "unfit": str(r.unfit),
                "below_approval": r.below_approval,
                "above_unfit": r.above_unfit,
                "groups": [
                    {
                        "name": g.name,
                        "weight": g.weight,
                        "ballots": g.ballots,
                        "overall": dict(zip(grades, g.overall, strict=True)),
                        "dimensions": {
                            d: dict(zip(grades, g.dimensions[d], strict=True))
                            for d in Dimension.values
                        },
                    }
                    for g in r.groups
                ],
            }
            for r in selectors.appraisal_results(a)
        ],
    }


@router.get("", response=list[TeamAppraisalOut], summary="民主测评列表")
def appraisal_list(request):
    return [_out(a) for a in selectors.appraisal_list(user=request.user)]


@router.post(
    "", response={201: TeamAppraisalCreatedOut}, summary="开展民主测评（返回选票码明文，仅此一次）"
)
def appraisal_open(request, payload: TeamAppraisalIn):
    require_cadre_staff(request.user)
    team = team_get(user=request.user, pk=payload.team_id)
    appraisal, codes = services.appraisal_open(
        actor=request.user,
        team=team,
        year=payload.year,
        opened_on=payload.opened_on,
        groups=[services.GroupInput(g.name, g.weight, g.codes) for g in payload.groups],
    )
    return Status(
        201,
        {
            **_out(appraisal),
            "ballot_path": reverse("team_appraisal:ballot", args=[appraisal.ballot_token]),
            "codes": [{"group": name, "codes": c} for name, c in codes.items()],
        },
    )


@router.post(
    "/{int:team_appraisal_id}/close", response=TeamAppraisalResultsOut, summary="结束民主测评"
)
def appraisal_close(request, team_appraisal_id: ObjectId):
    appraisal = selectors.appraisal_get(user=request.user, pk=team_appraisal_id)
    return _results_out(services.appraisal_close(actor=request.user, appraisal=appraisal))


@router.get(
    "/{int:team_appraisal_id}/results", response=TeamAppraisalResultsOut, summary="民主测评结果"
)
def appraisal_results(request, team_appraisal_id: ObjectId):
    return _results_out(selectors.appraisal_get(user=request.user, pk=team_appraisal_id))
