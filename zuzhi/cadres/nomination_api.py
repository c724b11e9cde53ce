"""Self-nominations API (干部自荐, /api/self-nominations): the same selectors and services as
the pages. Seen only by the cadre, their unit's leader and the cadre section; anyone else
gets 404."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import MappedQuerySet, Page
from zuzhi.core.params import ObjectId

from . import nomination_selectors as sel
from . import nomination_services as services
from .models import NominationStatus, NominationTarget, SelfNomination

router = Router(tags=["干部自荐"])


class NominationOut(Schema):
    id: int
    cadre_id: int
    cadre_name: str
    unit_name: str
    organization_id: int
    target_kind: NominationTarget
    target: str
    statement: str
    evidence: str
    evidence_name: str
    status: NominationStatus
    status_label: str
    unit_opinion: str
    unit_opinion_at: datetime.datetime | None
    decision_reason: str = Field(description="审核意见；不予采纳时为理由，自荐人可见")
    decided_at: datetime.datetime | None
    submitted_at: datetime.datetime
    withdrawn_at: datetime.datetime | None


class NominationIn(Schema):
    target_kind: NominationTarget
    target: str = Field(..., max_length=128, description="自荐的职位、职级或后备干部库")
    statement: str = Field(..., max_length=services.MAX_TEXT, description="自荐理由")
    evidence: str = Field("", max_length=services.MAX_TEXT, description="佐证材料说明")


class OpinionIn(Schema):
    opinion: str = Field(..., max_length=services.MAX_TEXT, description="单位意见")


class DecideIn(Schema):
    decision: Literal["accept", "decline"] = Field(
        ..., description="accept：纳入考察视野；decline：不予采纳（须写明理由）"
    )
    reason: str = Field("", max_length=services.MAX_TEXT, description="审核意见，自荐人可见")


def _out(n: SelfNomination) -> dict:
    return {
        "id": n.pk,
        "cadre_id": n.cadre_id,
        "cadre_name": n.cadre.name,
        "unit_name": n.cadre.unit_name or n.cadre.organization.name,
        "organization_id": n.cadre.organization_id,
        "target_kind": n.target_kind,
        "target": n.target,
        "statement": n.statement,
        "evidence": n.evidence,
        "evidence_name": n.evidence_name,
        "status": n.status,
        "status_label": n.get_status_display(),
        "unit_opinion": n.unit_opinion,
        "unit_opinion_at": n.unit_opinion_at,
        "decision_reason": n.decision_reason,
        "decided_at": n.decided_at,
        "submitted_at": n.submitted_at,
        "withdrawn_at": n.withdrawn_at,
    }


BOXES = {
    "mine": sel.nominations_mine,
    "opinion": sel.nominations_for_opinion,
    "decide": sel.nominations_to_decide,
}


@router.get("", response=list[NominationOut], summary="本人可见的干部自荐")
@paginate(Page, page_size=50)
def nomination_list(request, box: Literal["mine", "opinion", "decide"] | None = None):
    """box=mine 本人的；opinion 待本人（单位主要负责人）提出意见的；decide 待干部科审核的；
    不填为本人可见的全部。"""
    selector = BOXES.get(box or "", sel.nomination_visible)
    return MappedQuerySet(selector(user=request.user), _out)


@router.post("", response={201: NominationOut}, summary="提交本人的自荐（干部本人账号）")
def nomination_create(request, payload: NominationIn):
    cadre = sel.my_cadre(user=request.user)
    if cadre is None:
        raise ValidationError("只有本人有干部信息的账号才能提交自荐。")
    nomination = services.self_nomination_submit(
        actor=request.user, cadre=cadre, **payload.model_dump()
    )
    return Status(201, _out(sel.nomination_get(user=request.user, pk=nomination.pk)))


@router.get("/{int:nomination_id}", response=NominationOut, summary="干部自荐详情")
def nomination_detail(request, nomination_id: ObjectId):
    return _out(sel.nomination_get(user=request.user, pk=nomination_id))


@router.post(
    "/{int:nomination_id}/opinion",
    response=NominationOut,
    summary="单位提出意见（自荐人所在单位主要负责人）",
)
def nomination_opinion(request, nomination_id: ObjectId, payload: OpinionIn):
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    return _out(
        services.self_nomination_unit_opinion(
            actor=request.user, nomination=nomination, opinion=payload.opinion
        )
    )


@router.post(
    "/{int:nomination_id}/decide",
    response=NominationOut,
    summary="干部科审核：纳入考察视野或不予采纳",
)
def nomination_decide(request, nomination_id: ObjectId, payload: DecideIn):
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    return _out(
        services.self_nomination_decide(
            actor=request.user,
            nomination=nomination,
            accept=payload.decision == "accept",
            reason=payload.reason,
        )
    )


@router.post(
    "/{int:nomination_id}/withdraw", response=NominationOut, summary="撤回本人的自荐（审核前）"
)
def nomination_withdraw(request, nomination_id: ObjectId):
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    return _out(services.self_nomination_withdraw(actor=request.user, nomination=nomination))
