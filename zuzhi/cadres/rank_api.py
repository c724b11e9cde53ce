"""Rank API (职级), mounted under /api/cadres: the county's quota table, a cadre's ranks."""

import datetime

from ninja import Field, Router, Schema, Status

from zuzhi.core.params import ObjectId

from . import rank_selectors, rank_services
from .models import Rank

router = Router(tags=["干部职级"])


class QuotaUseOut(Schema):
    group: str = Field(..., description="职数分组：researcher_2 / researcher_3_4 / principal")
    label: str
    percent: int
    used: int
    quota: int | None = Field(..., description="编制数×比例向下取整；未设置编制数时为 null")
    free: int | None
    over: bool


class UnitQuotaOut(Schema):
    organization_id: int
    name: str
    posts: int | None = Field(..., description="公务员编制数；未设置时为 null")
    over: bool
    groups: list[QuotaUseOut]


class RankGrantOut(Schema):
    id: int
    rank: Rank
    rank_label: str
    reached_on: datetime.date
    document: str


class RankGrantIn(Schema):
    rank: Rank
    reached_on: datetime.date
    document: str = Field("", max_length=64)


def _quota_out(row: rank_selectors.UnitQuota) -> dict:
    return {
        "organization_id": row.organization_id,
        "name": row.name,
        "posts": row.posts,
        "over": row.over,
        "groups": [
            {
                "group": u.group.key,
                "label": u.group.label,
                "percent": u.group.percent,
                "used": u.used,
                "quota": u.quota,
                "free": u.free,
                "over": u.over,
            }
            for u in row.uses
        ],
    }


def _grant_out(grant) -> dict:
    return {
        "id": grant.pk,
        "rank": grant.rank,
        "rank_label": grant.get_rank_display(),
        "reached_on": grant.reached_on,
        "document": grant.document,
    }


@router.get("/ranks/quotas", response=list[UnitQuotaOut], summary="各单位职级职数使用情况")
def rank_quotas(request):
    return [_quota_out(r) for r in rank_selectors.unit_quotas(user=request.user)]


@router.get("/{int:cadre_id}/ranks", response=list[RankGrantOut], summary="干部职级记录")
def rank_history(request, cadre_id: ObjectId):
    cadre = rank_selectors.rank_cadre_get(user=request.user, pk=cadre_id)
    return [_grant_out(g) for g in rank_selectors.rank_history(cadre=cadre)]


@router.post("/{int:cadre_id}/ranks", response={201: RankGrantOut}, summary="晋升职级")
def rank_grant(request, cadre_id: ObjectId, payload: RankGrantIn):
    cadre = rank_selectors.rank_cadre_get(user=request.user, pk=cadre_id, write=True)
    grant = rank_services.rank_grant(
        actor=request.user,
        cadre=cadre,
        rank=payload.rank,
        reached_on=payload.reached_on,
        document=payload.document,
    )
    return Status(201, _grant_out(grant))
