"""Contest API (/api/contests) and the public voting API (/api/public/contests): thin adapters
over zuzhi.contests.services and selectors."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zuzhi.accounts.models import User
from zuzhi.core.context import client_ip
from zuzhi.core.paging import Page
from zuzhi.core.uploads import attachment_response
from zuzhi.orgs.selectors import org_get

from . import selectors, services
from .models import (
    AdjustmentKind,
    Aggregation,
    ContestStatus,
    DecisionStatus,
    Direction,
    Method,
    ScoreCorrection,
    ScoreSheet,
    StageKind,
    Track,
    TrimOn,
    VoteMethod,
)

router = Router(tags=["考评竞赛"])
public_router = Router(tags=["公开投票（无需登录）"], auth=None)

ID = Field(..., ge=1, le=2**62)


class IndicatorSpec(Schema):
    name: str = Field(..., max_length=60)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    direction: Direction = Direction.HIGHER
    method: Method = Method.MINMAX
    target: Decimal | None = Field(None, gt=0, lt=10**10)
    cap: Decimal | None = Field(None, ge=0, le=10000)
    unit: str = Field("", max_length=16)
    children: list["IndicatorSpec"] = []


class NamedScore(Schema):
    name: str = Field(..., max_length=60)
    max_score: Decimal = Field(..., gt=0, le=1000, decimal_places=2)


class RaterGroupSpec(Schema):
    name: str = Field(..., max_length=40)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)


class StageSpec(Schema):
    kind: StageKind
    name: str = Field(..., max_length=60)
    weight: Decimal = Field(..., ge=0, le=100, decimal_places=2)
    aggregation: Aggregation = Aggregation.TRIMMED
    trim_on: TrimOn = TrimOn.TOTAL
    vote_method: VoteMethod = VoteMethod.RANK
    rank_points: int = Field(30, ge=1, le=10000)
    votes_per_day: int = Field(1, ge=1, le=1000)
    votes_per_entrant: int = Field(0, ge=0, le=1000)
    votes_total: int = Field(0, ge=0, le=10000)
    vote_opens_at: datetime.datetime | None = None
    vote_closes_at: datetime.datetime | None = None
    criteria: list[NamedScore] = []
    rater_groups: list[RaterGroupSpec] = []
    indicators: list[IndicatorSpec] = []


class StagesIn(Schema):
    stages: list[StageSpec]


class Tier(Schema):
    name: str = Field(..., max_length=20)
    min: Decimal = Field(..., ge=-1000, le=1000)


class ContestIn(Schema):
    organization_id: int = ID
    name: str = Field(..., max_length=100)
    track: Track
    period_label: str = Field(..., max_length=32)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    description: str = ""
    top_n: int | None = Field(None, ge=1, le=10000)
    red_list_size: int = Field(0, ge=0, le=10000)
    black_list_size: int = Field(0, ge=0, le=10000)
    tiers: list[Tier] = []
    bonus_limit: Decimal = Field(Decimal(5), ge=0, le=100)
    penalty_limit: Decimal = Field(Decimal(5), ge=0, le=100)
    stages: list[StageSpec]


class CopyIn(Schema):
    organization_id: int = ID
    name: str = Field(..., max_length=100)
    period_label: str = Field(..., max_length=32)


class StageOut(Schema):
    id: int
    kind: StageKind
    name: str
    weight: Decimal


class ContestOut(Schema):
    id: int
    organization_id: int | None
    organization_name: str
    name: str
    track: Track
    period_label: str
    status: ContestStatus
    is_template: bool
    top_n: int | None
    red_list_size: int
    black_list_size: int

    @staticmethod
    def resolve_organization_name(obj) -> str:
        if isinstance(obj, dict):
            return obj["organization_name"]
        return obj.organization.name if obj.organization else ""


class ContestDetail(ContestOut):
    stages: list[dict]
    problems: list[str]


class EntrantIn(Schema):
    organization_id: int | None = Field(None, ge=1, le=2**62)
    member_id: int | None = Field(None, ge=1, le=2**62)
    name: str = Field("", max_length=100)
    story: str = Field("", max_length=5000)


class EntrantOut(Schema):
    id: int
    number: int
    name: str
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    story: str


class ValueIn(Schema):
    entrant_id: int = ID
    indicator_id: int = ID
    value: Decimal = Field(..., gt=-(10**9), lt=10**9)
    note: str | None = Field(None, max_length=200)


class ValueOut(Schema):
    entrant_id: int
    indicator_id: int
    value: Decimal
    note: str
    # Whether evidence (佐证材料) is attached; the file itself comes from the scoped
    # GET …/indicator-values/evidence, never from a /media/ address.
    has_evidence: bool

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class DirectScoreIn(Schema):
    entrant_id: int = ID
    stage_id: int = ID
    rater_group_id: int | None = Field(None, ge=1, le=2**62)
    score: Decimal = Field(..., ge=0, le=100)


class AdjustmentOut(Schema):
    id: int
    entrant_id: int
    kind: AdjustmentKind
    amount: Decimal
    reason: str
    status: DecisionStatus
    decision_note: str
    # As for indicator values: a flag, and the file only through the scoped
    # GET …/adjustments/{id}/evidence, never a /media/ address or a stored name.
    has_evidence: bool

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class JudgeIn(Schema):
    username: str = Field(..., max_length=150)


class EntrantRef(Schema):
    entrant_id: int = ID


class SheetIn(Schema):
    entrant_id: int = ID
    marks: dict[str, Decimal]


class SheetOut(Schema):
    id: int
    entrant_id: int
    marks: dict[str, str]
    total: Decimal


class CorrectionIn(Schema):
    marks: dict[str, Decimal]
    reason: str = Field(..., max_length=200)


class CorrectionOut(Schema):
    id: int
    sheet_id: int
    marks: dict[str, str]
    reason: str
    status: DecisionStatus


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class ResultRowOut(Schema):
    entrant_id: int
    entrant_name: str = Field(..., alias="entrant.name")
    stage_scores: dict[str, str | None]
    adjustment: Decimal
    final: Decimal
    rank: int
    tier: str
    selected: bool
    list_mark: str
    note: str


class VersionOut(Schema):
    id: int
    number: int
    status: str
    reason: str
    published_at: datetime.datetime | None
    rows: list[ResultRowOut]


class VoidIn(Schema):
    vote_ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(..., max_length=10000)
    reason: str = Field(..., max_length=200)


def _contest(request, contest_id: int):
    return selectors.contest_get(user=request.user, pk=contest_id)


def _stage(contest, stage_id: int, kind: StageKind | None = None):
    stage = contest.stages.filter(pk=stage_id).first() if stage_id < 2**62 else None
    if stage is None or (kind and stage.kind != kind):
        raise Http404
    return stage


def _detail(contest):
    stages = list(contest.stages.all())
    return {
        **ContestOut.from_orm(contest).dict(),
        "stages": [
            {"id": stage.pk, **spec}
            for stage, spec in zip(stages, services.stage_specs(contest), strict=True)
        ],
        "problems": services.contest_problems(contest)
        if contest.status == ContestStatus.DRAFT and not contest.is_template
        else [],
    }


@router.get("", response=list[ContestOut], summary="考评竞赛列表（templates=true 列出模板）")
@paginate(Page, page_size=50)
def contest_list(request, templates: bool = False, q: str = ""):
    return selectors.contest_list(user=request.user, templates=templates, search=q[:50])


@router.post(
    "", response={201: ContestDetail}, summary="新建考评竞赛（含计分环节，权重合计须为 100）"
)
def contest_create(request, payload: ContestIn):
    data = payload.dict()
    organization = org_get(user=request.user, pk=data.pop("organization_id"))
    stages = data.pop("stages")
    data["tiers"] = [{"name": t["name"], "min": str(t["min"])} for t in data["tiers"]]
    contest = services.contest_create(
        actor=request.user, organization=organization, data=data, stages=stages
    )
    return Status(201, _detail(contest))


@router.get("/{int:contest_id}", response=ContestDetail, summary="考评竞赛详情与计分办法")
def contest_detail(request, contest_id: int):
    return _detail(_contest(request, contest_id))


@router.put("/{int:contest_id}/stages", response=ContestDetail, summary="修改计分办法（开始前）")
def contest_configure(request, contest_id: int, payload: StagesIn):
    contest = _contest(request, contest_id)
    services.contest_configure(
        actor=request.user, contest=contest, stages=[s.dict() for s in payload.stages]
    )
    return _detail(contest)


@router.post("/{int:contest_id}/copy", response={201: ContestDetail}, summary="复制模板或往期考评")
def contest_copy(request, contest_id: int, payload: CopyIn):
    source = _contest(request, contest_id)
    organization = org_get(user=request.user, pk=payload.organization_id)
    contest = services.contest_copy(
        actor=request.user,
        source=source,
        organization=organization,
        name=payload.name,
        period_label=payload.period_label,
    )
    return Status(201, _detail(contest))


@router.post("/{int:contest_id}/start", response=ContestDetail, summary="开始考评")
def contest_start(request, contest_id: int):
    contest = services.contest_start(actor=request.user, contest=_contest(request, contest_id))
    return _detail(contest)


@router.get(
    "/{int:contest_id}/entrants", response=list[EntrantOut], summary="参评对象（本人权限范围内）"
)
@paginate(Page, page_size=100)
def entrant_list(request, contest_id: int, q: str = ""):
    return selectors.entrant_list(
        user=request.user, contest=_contest(request, contest_id), search=q[:50]
    )


@router.post("/{int:contest_id}/entrants", response={201: EntrantOut}, summary="添加参评对象")
def entrant_add(request, contest_id: int, payload: EntrantIn):
    from zuzhi.members.selectors import member_get

    contest = _contest(request, contest_id)
    organization = (
        org_get(user=request.user, pk=payload.organization_id) if payload.organization_id else None
    )
    member = member_get(user=request.user, pk=payload.member_id) if payload.member_id else None
    entrant = services.entrant_add(
        actor=request.user,
        contest=contest,
        organization=organization,
        member=member,
        name=payload.name,
        story=payload.story,
    )
    return Status(201, entrant)


class StoryIn(Schema):
    story: str = Field(..., max_length=5000)


@router.patch(
    "/{int:contest_id}/entrants/{int:entrant_id}",
    response=EntrantOut,
    summary="修改参评对象的事迹简介（公开展示）",
)
def entrant_story(request, contest_id: int, entrant_id: int, payload: StoryIn):
    contest = _contest(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=entrant_id)
    return services.entrant_update(actor=request.user, entrant=entrant, story=payload.story)


class CaseCloseIn(Schema):
    resolution: str = Field(..., max_length=2000)


@router.post("/{int:contest_id}/cases/{int:case_id}/close", summary="督办事项办结")
def case_close(request, contest_id: int, case_id: int, payload: CaseCloseIn):
    contest = _contest(request, contest_id)
    case = (
        selectors.case_list(user=request.user, contest=contest)
        .filter(pk=min(case_id, 2**62))
        .first()
    )
    if case is None:
        raise Http404
    case = services.case_close(actor=request.user, case=case, resolution=payload.resolution)
    return {"id": case.pk, "status": case.status, "resolution": case.resolution}


@router.get(
    "/{int:contest_id}/indicator-values",
    response=list[ValueOut],
    summary="指标数据（本人权限范围内）",
)
def value_list(request, contest_id: int):
    contest = _contest(request, contest_id)
    entrants = selectors.entrant_list(user=request.user, contest=contest)
    return list(selectors.indicator_values(contest=contest).filter(entrant__in=entrants))


@router.put(
    "/{int:contest_id}/indicator-values", response=ValueOut, summary="录入或修改一项指标数据"
)
def value_set(request, contest_id: int, payload: ValueIn):
    contest = _contest(request, contest_id)
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
    contest_id: int,
    entrant_id: Form[int],
    indicator_id: Form[int],
    file: File[UploadedFile],
):
    contest = _contest(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=entrant_id)
    indicator = selectors.indicator_get(contest=contest, pk=indicator_id)
    return services.indicator_value_evidence_set(
        actor=request.user, entrant=entrant, indicator=indicator, evidence=file
    )


@router.get(
    "/{int:contest_id}/indicator-values/evidence",
    summary="下载一项指标数据的佐证材料（本人权限范围内）",
)
def value_evidence_get(request, contest_id: int, entrant_id: int, indicator_id: int):
    contest = _contest(request, contest_id)
    item = selectors.indicator_value_get(
        user=request.user, contest=contest, entrant_pk=entrant_id, indicator_pk=indicator_id
    )
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )


@router.put("/{int:contest_id}/direct-scores", summary="录入公开汇报或民主测评得分")
def direct_score_set(request, contest_id: int, payload: DirectScoreIn):
    contest = _contest(request, contest_id)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=payload.entrant_id)
    stage = _stage(contest, payload.stage_id)
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
def adjustment_list(request, contest_id: int):
    contest = _contest(request, contest_id)
    return list(selectors.adjustment_list(user=request.user, contest=contest))


@router.post(
    "/{int:contest_id}/adjustments",
    response={201: AdjustmentOut},
    summary="申报加减分项（表单上传佐证材料）",
)
def adjustment_request(
    request,
    contest_id: int,
    entrant_id: Form[int],
    kind: Form[AdjustmentKind],
    amount: Form[Decimal],
    reason: Form[str],
    evidence: File[UploadedFile],
):
    contest = _contest(request, contest_id)
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
def adjustment_decide(request, contest_id: int, item_id: int, payload: DecisionIn):
    contest = _contest(request, contest_id)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_id)
    return services.adjustment_decide(
        actor=request.user, adjustment=item, approve=payload.approve, note=payload.note
    )


@router.get(
    "/{int:contest_id}/adjustments/{int:item_id}/evidence",
    summary="下载加减分项的佐证材料（本人权限范围内）",
)
def adjustment_evidence_get(request, contest_id: int, item_id: int):
    contest = _contest(request, contest_id)
    item = selectors.adjustment_get(user=request.user, contest=contest, pk=item_id)
    return attachment_response(
        item.evidence, actor=request.user, target=item, org_path=contest.organization.path
    )


@router.post("/{int:contest_id}/stages/{int:stage_id}/judges", summary="安排评委")
def judge_seat(request, contest_id: int, stage_id: int, payload: JudgeIn):
    contest = _contest(request, contest_id)
    stage = _stage(contest, stage_id, StageKind.JUDGES)
    judge = User.objects.filter(username=payload.username).first()
    if judge is None:
        raise ValidationError({"username": ["没有这个账号。"]})
    seat = services.judge_seat(actor=request.user, stage=stage, judge=judge)
    return {"seat_no": seat.seat_no, "username": judge.username}


@router.post("/{int:contest_id}/stages/{int:stage_id}/open", summary="参评对象上场（开始评分）")
def appearance_open(request, contest_id: int, stage_id: int, payload: EntrantRef):
    contest = _contest(request, contest_id)
    stage = _stage(contest, stage_id, StageKind.JUDGES)
    entrant = selectors.entrant_get(user=request.user, contest=contest, pk=payload.entrant_id)
    services.appearance_open(actor=request.user, stage=stage, entrant=entrant)
    return {"entrant_id": entrant.pk, "status": "open"}


@router.post("/{int:contest_id}/stages/{int:stage_id}/close", summary="结束当前对象的评分")
def appearance_close(request, contest_id: int, stage_id: int):
    contest = _contest(request, contest_id)
    stage = _stage(contest, stage_id, StageKind.JUDGES)
    appearance = selectors.current_appearance(stage)
    if appearance is None:
        raise ValidationError("现在没有正在评分的对象。")
    services.appearance_close(actor=request.user, appearance=appearance)
    return {"entrant_id": appearance.entrant_id, "status": "closed"}


@router.get(
    "/{int:contest_id}/stages/{int:stage_id}/board", summary="评分进度（结束评分后才显示分数）"
)
def judges_board(request, contest_id: int, stage_id: int):
    contest = _contest(request, contest_id)
    stage = selectors.board_stage_get(user=request.user, contest=contest, pk=stage_id)
    seats, rows = selectors.judges_board(stage=stage)
    return {
        "seats": [s.seat_no for s in seats],
        "entrants": [
            {
                "entrant_id": r.appearance.entrant_id,
                "name": r.appearance.entrant.name,
                "status": r.appearance.status,
                "submitted": sorted(r.submitted),
                "scores": {str(k): str(v) for k, v in r.scores.items()}
                if r.scores is not None
                else None,
                "panel": None if r.panel is None else str(r.panel),
            }
            for r in rows
        ],
    }


@router.post(
    "/{int:contest_id}/stages/{int:stage_id}/sheets",
    response={201: SheetOut},
    summary="评委提交评分（每个对象一次）",
)
def sheet_submit(request, contest_id: int, stage_id: int, payload: SheetIn):
    stage = selectors.judge_stage_get(user=request.user, pk=stage_id)
    if stage.contest_id != contest_id:
        raise Http404
    entrant = stage.contest.entrants.filter(pk=payload.entrant_id).first()
    if entrant is None:
        raise Http404
    sheet = services.sheet_submit(
        judge=request.user, stage=stage, entrant=entrant, marks=payload.marks
    )
    return Status(201, sheet)


@router.post(
    "/{int:contest_id}/sheets/{int:sheet_id}/corrections",
    response={201: CorrectionOut},
    summary="评委申请更正评分",
)
def correction_request(request, contest_id: int, sheet_id: int, payload: CorrectionIn):
    sheet = get_object_or_404(
        ScoreSheet, pk=min(sheet_id, 2**62), stage__contest_id=contest_id, judge=request.user
    )
    item = services.correction_request(
        judge=request.user, sheet=sheet, marks=payload.marks, reason=payload.reason
    )
    return Status(201, item)


@router.post(
    "/{int:contest_id}/corrections/{int:item_id}/decision",
    response=CorrectionOut,
    summary="审核评分更正（竞赛秘书）",
)
def correction_decide(request, contest_id: int, item_id: int, payload: DecisionIn):
    contest = _contest(request, contest_id)
    item = get_object_or_404(ScoreCorrection, pk=min(item_id, 2**62), sheet__stage__contest=contest)
    return services.correction_decide(actor=request.user, correction=item, approve=payload.approve)


@router.get(
    "/{int:contest_id}/results", response=list[VersionOut], summary="结果各版本（新版本在前）"
)
def result_list(request, contest_id: int):
    contest = _contest(request, contest_id)
    out = []
    for version in selectors.result_versions(user=request.user, contest=contest):
        out.append(
            {
                "id": version.pk,
                "number": version.number,
                "status": version.status,
                "reason": version.reason,
                "published_at": version.published_at,
                "rows": list(selectors.result_rows(user=request.user, version=version)),
            }
        )
    return out


@router.post("/{int:contest_id}/results/compute", response=VersionOut, summary="计算结果（草稿）")
def result_compute(request, contest_id: int):
    contest = _contest(request, contest_id)
    version = services.result_compute(actor=request.user, contest=contest)
    return {
        **VersionOut.from_orm(version).dict(exclude={"rows"}),
        "rows": list(selectors.result_rows(user=request.user, version=version)),
    }


@router.post(
    "/{int:contest_id}/results/{int:version_id}/publish",
    response=VersionOut,
    summary="发布结果（发布后锁定）",
)
def result_publish(request, contest_id: int, version_id: int):
    contest = _contest(request, contest_id)
    version = get_object_or_404(contest.versions, pk=min(version_id, 2**62))
    version = services.result_publish(actor=request.user, version=version)
    return {
        **VersionOut.from_orm(version).dict(exclude={"rows"}),
        "rows": list(selectors.result_rows(user=request.user, version=version)),
    }


@router.post(
    "/{int:contest_id}/results/revise", response=ContestOut, summary="发起更正（生成新版本）"
)
def result_revise(request, contest_id: int, payload: ReasonIn):
    return services.result_revise(
        actor=request.user, contest=_contest(request, contest_id), reason=payload.reason
    )


@router.get(
    "/{int:contest_id}/votes/suspicious",
    summary="可疑投票（同一 IP 段集中投票、同一设备多个手机号）",
)
def votes_suspicious(request, contest_id: int):
    contest = _contest(request, contest_id)
    services.require_manager(request.user, contest)
    stage = services.public_vote_stage(contest)
    if stage is None:
        raise Http404
    return selectors.suspicious_votes(stage=stage)


@router.post("/{int:contest_id}/votes/void", summary="作废可疑选票（须写明理由）")
def votes_void(request, contest_id: int, payload: VoidIn):
    contest = _contest(request, contest_id)
    stage = services.public_vote_stage(contest)
    if stage is None:
        raise Http404
    count = services.votes_void(
        actor=request.user, stage=stage, vote_ids=payload.vote_ids, reason=payload.reason
    )
    return {"voided": count}


# --- public (no login) ---------------------------------------------------------------------


class PhoneIn(Schema):
    phone: str = Field(..., max_length=20)


class VerifyIn(Schema):
    phone: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10)


class VoteIn(Schema):
    entrant_id: int = ID


class PublicEntrant(Schema):
    id: int
    number: int
    name: str
    organization: str
    story: str
    photo: str
    votes: int


class PublicContest(Schema):
    id: int
    name: str
    period_label: str
    voting_open: bool
    voting_message: str
    votes_per_day: int
    entrants: list[PublicEntrant]


def _client(request) -> tuple[str, str | None]:
    return request.COOKIES.get(VOTER_DEVICE_COOKIE, ""), client_ip(request)


VOTER_COOKIE = "zuzhi_voter"
VOTER_DEVICE_COOKIE = "zuzhi_device"


@public_router.get(
    "/{int:contest_id}", response=PublicContest, summary="公开评选：参评对象与票数（不含个人信息）"
)
def public_contest(request, contest_id: int):
    return selectors.public_contest(pk=contest_id)


@public_router.post("/{int:contest_id}/codes", summary="获取投票验证码（短信）")
def public_code(request, contest_id: int, payload: PhoneIn):
    contest = selectors.public_contest_get(pk=contest_id)
    _, ip = _client(request)
    services.vote_code_send(contest=contest, phone=payload.phone, ip=ip)
    return {"message": "验证码已发送。"}


@public_router.post("/{int:contest_id}/voters", summary="校验验证码，取得投票凭证（有效期一天）")
def public_verify(request, contest_id: int, payload: VerifyIn, response: HttpResponse):
    selectors.public_contest_get(pk=contest_id)
    voter = services.vote_code_verify(
        phone=payload.phone, code=payload.code, ip=_client(request)[1]
    )
    token = services.voter_token(voter)
    response.set_cookie(
        VOTER_COOKIE, token, max_age=services.VOTER_MAX_AGE, httponly=True, samesite="Lax"
    )
    return {"token": token}


VOTE_THANKS = "投票成功，谢谢参与！"


@public_router.post(
    "/{int:contest_id}/votes",
    response={201: dict},
    summary="投票（凭证放在 X-Voter-Token 请求头或 Cookie 中）",
)
def public_vote(request, contest_id: int, payload: VoteIn):
    device, ip = _client(request)
    vote_answer(
        contest_id=contest_id,
        entrant_id=payload.entrant_id,
        token=request.headers.get("X-Voter-Token") or request.COOKIES.get(VOTER_COOKIE),
        device=device,
        ip=ip,
    )
    return Status(201, {"message": VOTE_THANKS})


def vote_answer(*, contest_id: int, entrant_id: int, token: str | None, device: str, ip) -> int:
    """POST …/votes, whichever way the request came in (this API, or the production server's
    short path in `fastvote`): the new vote's id, or VoteRefused / Http404."""
    target = selectors.public_vote_target(contest_id=contest_id)
    if target is None:
        raise Http404
    voter = services.voter_from_token(token)
    if voter is None:
        raise services.VoteRefused("请先用手机号码验证后再投票。", status=401)
    return services.vote_cast(
        stage=target.stage, entrant_id=entrant_id, voter=voter, device=device, ip=ip
    )
