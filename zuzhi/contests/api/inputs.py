"""/api/contests/{id}/…: indicator values, direct scores, bonus and penalty items."""

from decimal import Decimal

from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from zuzhi.core.params import ObjectId
from zuzhi.core.uploads import attachment_response

from .. import selectors, services
from ..models import (
    AdjustmentKind,
)
from .base import AdjustmentOut, DecisionIn, DirectScoreIn, ValueIn, ValueOut, contest_of, stage_of

router = Router()


@router.get(
    "/{int:contest_id}/indicator-values",
    response=list[ValueOut],
    summary="指标数据（本人权限范围内）",
)
def value_list(request, contest_id: ObjectId):
    contest = contest_of(request, contest_id)
    return list(selectors.indicator_values(user=request.user, contest=contest))


@router.put(
    "/{int:contest_id}/indicator-values", response=ValueOut, summary="录入或修改一项指标数据"
)
def value_set(request, contest_id: ObjectId, payload: ValueIn):
    contest = contest_of(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=payload.entrant_id)
    indicator = selectors.indicator_get(contest=contest, pk=payload.indicator_id)
    return services.indicator_value_set(
        actor=request.user,
        entrant=entrant,
        indicator=indicator,
        value=payload.value,
        note=payload.note,
    )


@router.post(
    "/{int:contest_id}/indicator-values/evidence",
    response=ValueOut,
    summary="上传或替换一项指标数据的佐证材料（表单上传；须先录入数值）",
)
def value_evidence_set(
    request,
    contest_id: ObjectId,
    entrant_id: Form[ObjectId],
    indicator_id: Form[ObjectId],
    file: File[UploadedFile],
):
    contest = contest_of(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=entrant_id)
    indicator = selectors.indicator_get(contest=contest, pk=indicator_id)
    return services.indicator_value_evidence_set(
        actor=request.user, entrant=entrant, indicator=indicator, evidence=file
    )


@router.get(
    "/{int:contest_id}/indicator-values/evidence",
    summary="下载一项指标数据的佐证材料（本人权限范围内）",
)
def value_evidence_get(request, contest_id: ObjectId, entrant_id: ObjectId, indicator_id: ObjectId):
    contest = contest_of(request, contest_id)
    item = selectors.indicator_value_get(
        user=request.user, contest=contest, entrant_pk=entrant_id, indicator_pk=indicator_id
    )
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )


@router.put("/{int:contest_id}/direct-scores", summary="录入公开汇报或民主测评得分")
def direct_score_set(request, contest_id: ObjectId, payload: DirectScoreIn):
    contest = contest_of(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=payload.entrant_id)
    stage = stage_of(contest, payload.stage_id)
    group = (
        stage.rater_groups.filter(pk=payload.rater_group_id).first()
        if payload.rater_group_id
        else None
    )
    item = services.direct_score_set(
        actor=request.user, entrant=entrant, stage=stage, score=payload.score, rater_group=group
    )
    return {"entrant_id": entrant.pk, "stage_id": stage.pk, "score": str(item.score)}


@router.get(
    "/{int:contest_id}/adjustments",
    response=list[AdjustmentOut],
    summary="加减分项（本人权限范围内）",
)
def adjustment_list(request, contest_id: ObjectId):
    contest = contest_of(request, contest_id)
    return list(selectors.adjustment_list(user=request.user, contest=contest))


@router.post(
    "/{int:contest_id}/adjustments",
    response={201: AdjustmentOut},
    summary="申报加减分项（表单上传佐证材料）",
)
def adjustment_request(
    request,
    contest_id: ObjectId,
    entrant_id: Form[ObjectId],
    kind: Form[AdjustmentKind],
    amount: Form[Decimal],
    reason: Form[str],
    evidence: File[UploadedFile],
):
    contest = contest_of(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=entrant_id)
    item = services.adjustment_request(
        actor=request.user,
        entrant=entrant,
        kind=kind,
        amount=amount,
        reason=reason,
        evidence=evidence,
    )
    return Status(201, item)


@router.post(
    "/{int:contest_id}/adjustments/{int:item_id}/decision",
    response=AdjustmentOut,
    summary="审核加减分项（主办单位）",
)
def adjustment_decide(request, contest_id: ObjectId, item_id: ObjectId, payload: DecisionIn):
    contest = contest_of(request, contest_id)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_id)
    return services.adjustment_decide(
        actor=request.user, adjustment=item, approve=payload.approve, note=payload.note
    )


@router.get(
    "/{int:contest_id}/adjustments/{int:item_id}/evidence",
    summary="下载加减分项的佐证材料（本人权限范围内）",
)
def adjustment_evidence_get(request, contest_id: ObjectId, item_id: ObjectId):
    contest = contest_of(request, contest_id)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_id)
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )
