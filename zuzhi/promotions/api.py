"""API of assessment rounds (/api/assessments) and promotion rounds (/api/promotion-rounds);
thin adapters over services and selectors."""

import datetime

from ninja import Field, Query, Router, Schema, Status

from zuzhi.cadres.models import AssessmentResult, Rank
from zuzhi.cadres.selectors import cadre_unit
from zuzhi.core.params import ObjectId, ObjectIds

from . import selectors, services
from .models import AssessmentStatus, PromotionStatus

assessment_router = Router(tags=["年度考核"])
promotion_router = Router(tags=["职级晋升"])


# --- annual assessment -------------------------------------------------------------------------
class AssessmentRoundOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    year: int
    status: AssessmentStatus
    excellent_share: str = Field(..., description="优秀比例，如 0.200")


class AssessmentRowOut(Schema):
    cadre_id: int
    name: str
    result: str = Field(..., description="考核结果代码；尚未评定时为空")
    result_label: str


class AssessmentSheetOut(AssessmentRoundOut):
    excellent_limit: int = Field(..., description="优秀名额：人数×比例向下取整")
    excellent: int
    cadres: list[AssessmentRowOut]


class AssessmentRoundIn(Schema):
    organization_id: ObjectId
    year: int = Field(..., ge=1900, le=2100)


class AssessmentGradeIn(Schema):
    cadre_id: ObjectId
    result: AssessmentResult


class AssessmentGradesIn(Schema):
    grades: list[AssessmentGradeIn] = Field(..., max_length=10_000)


class AssessmentFilter(Schema):
    organization: ObjectId | None = None
    year: int | None = Field(None, ge=1900, le=2100)


def _assessment_out(round_) -> dict:
    return {
        "id": round_.pk,
        "organization_id": round_.organization_id,
        "organization_name": round_.organization.name,
        "year": round_.year,
        "status": round_.status,
        "excellent_share": str(round_.excellent_share),
    }


def _sheet_out(round_) -> dict:
    sheet = selectors.assessment_sheet(round_)
    return {
        **_assessment_out(round_),
        "excellent_limit": sheet.limit,
        "excellent": sheet.excellent,
        "cadres": [
            {
                "cadre_id": c.pk,
                "name": c.name,
                "result": r,
                "result_label": AssessmentResult(r).label if r else "",
            }
            for c, r in sheet.rows
        ],
    }


@assessment_router.get(
    "", response=list[AssessmentRoundOut], summary="年度考核列表（按单位、年度）"
)
def assessment_rounds(request, filters: Query[AssessmentFilter]):
    org = cadre_unit(user=request.user, pk=filters.organization) if filters.organization else None
    rounds = selectors.assessment_round_list(user=request.user, organization=org, year=filters.year)
    return [_assessment_out(r) for r in rounds]


@assessment_router.post("", response={201: AssessmentSheetOut}, summary="开始单位年度考核")
def assessment_open(request, payload: AssessmentRoundIn):
    org = cadre_unit(user=request.user, pk=payload.organization_id)
    round_ = services.assessment_round_open(actor=request.user, organization=org, year=payload.year)
    return Status(201, _sheet_out(round_))


@assessment_router.get(
    "/{int:assessment_round_id}", response=AssessmentSheetOut, summary="年度考核评定表"
)
def assessment_sheet(request, assessment_round_id: ObjectId):
    return _sheet_out(selectors.assessment_round_get(user=request.user, pk=assessment_round_id))


@assessment_router.post(
    "/{int:assessment_round_id}/grades", response=AssessmentSheetOut, summary="批量评定等次"
)
def assessment_grades(request, assessment_round_id: ObjectId, payload: AssessmentGradesIn):
    round_ = selectors.assessment_round_get(user=request.user, pk=assessment_round_id)
    services.assessment_grades_set(
        actor=request.user,
        round_=round_,
        grades={g.cadre_id: g.result.value for g in payload.grades},
    )
    return _sheet_out(round_)


@assessment_router.post(
    "/{int:assessment_round_id}/close", response=AssessmentSheetOut, summary="结束年度考核"
)
def assessment_close(request, assessment_round_id: ObjectId):
    round_ = selectors.assessment_round_get(user=request.user, pk=assessment_round_id)
    return _sheet_out(services.assessment_round_close(actor=request.user, round_=round_))


# --- promotion rounds --------------------------------------------------------------------------
class PromotionOfferIn(Schema):
    organization_id: ObjectId
    rank: Rank
    places: int = Field(..., ge=0, le=10_000)


class PromotionOfferOut(Schema):
    organization_id: int
    organization_name: str
    rank: Rank
    rank_label: str
    places: int
    quota_group: str | None = Field(..., description="占用的职数分组；不占用时为 null")
    quota_free: int | None = Field(..., description="该单位该分组现有空余职数")
    eligible: int


class PromotionRoundIn(Schema):
    organization_id: ObjectId = Field(..., description="本轮范围（单位或县）")
    name: str = Field(..., max_length=100)
    cutoff: datetime.date = Field(..., description="任职年限计算截止日期")
    offers: list[PromotionOfferIn] = Field([], max_length=1000)


class PromotionRoundOut(Schema):
    id: int
    organization_id: int
    name: str
    cutoff: datetime.date
    status: PromotionStatus
    effective_on: datetime.date | None
    document: str
    offers: list[PromotionOfferOut]


class PromotionGradeCellOut(Schema):
    year: int
    result: str


class PromotionCandidateOut(Schema):
    cadre_id: int
    name: str
    organization_name: str
    rank: Rank
    rank_since: datetime.date
    target_rank: Rank
    score: int = Field(..., description="考核积分（优秀、称职按设置计分），排序首要依据")
    grades: list[PromotionGradeCellOut]
    eligible: bool
    refusal: str


class PromotionEligibleFilter(Schema):
    rank: Rank | None = None
    organization: ObjectId | None = None
    sort: str = Field("record", pattern="^(record|name|unit)$")
    all: bool = Field(False, description="同时列出满年限但不符合考核等次等条件的人员")


class PromotionDecideIn(Schema):
    cadre_ids: ObjectIds
    effective_on: datetime.date
    document: str = Field("", max_length=64)


def _round_out(request, round_) -> dict:
    return {
        "id": round_.pk,
        "organization_id": round_.organization_id,
        "name": round_.name,
        "cutoff": round_.cutoff,
        "status": round_.status,
        "effective_on": round_.effective_on,
        "document": round_.document,
        "offers": [
            {
                "organization_id": row.offer.organization_id,
                "organization_name": row.offer.organization.name,
                "rank": row.offer.rank,
                "rank_label": row.offer.get_rank_display(),
                "places": row.offer.places,
                "quota_group": row.group.key if row.group else None,
                "quota_free": row.free,
                "eligible": row.eligible,
            }
            for row in selectors.promotion_offers(user=request.user, round_=round_)
        ],
    }


class PromotionRoundSummaryOut(Schema):
    id: int
    organization_id: int
    name: str
    cutoff: datetime.date
    status: PromotionStatus
    offers: int
    decided: int


@promotion_router.get("", response=list[PromotionRoundSummaryOut], summary="职级晋升轮次列表")
def promotion_rounds(request):
    return [
        {
            "id": r.pk,
            "organization_id": r.organization_id,
            "name": r.name,
            "cutoff": r.cutoff,
            "status": r.status,
            "offers": r.n_offers,
            "decided": r.n_decided,
        }
        for r in selectors.promotion_round_list(user=request.user)
    ]


@promotion_router.post("", response={201: PromotionRoundOut}, summary="新建职级晋升轮次")
def promotion_round_create(request, payload: PromotionRoundIn):
    round_ = services.promotion_round_create(
        actor=request.user,
        organization=cadre_unit(user=request.user, pk=payload.organization_id),
        name=payload.name,
        cutoff=payload.cutoff,
        offers=[
            (cadre_unit(user=request.user, pk=o.organization_id), o.rank.value, o.places)
            for o in payload.offers
        ],
    )
    return Status(201, _round_out(request, round_))


@promotion_router.get(
    "/{int:promotion_round_id}", response=PromotionRoundOut, summary="职级晋升轮次"
)
def promotion_round(request, promotion_round_id: ObjectId):
    return _round_out(
        request, selectors.promotion_round_get(user=request.user, pk=promotion_round_id)
    )


@promotion_router.get(
    "/{int:promotion_round_id}/eligible",
    response=list[PromotionCandidateOut],
    summary="符合条件人选（按实绩排序，不按资历）",
)
def promotion_eligible(
    request, promotion_round_id: ObjectId, filters: Query[PromotionEligibleFilter]
):
    round_ = selectors.promotion_round_get(user=request.user, pk=promotion_round_id)
    org = cadre_unit(user=request.user, pk=filters.organization) if filters.organization else None
    rows = selectors.promotion_candidates(
        round_=round_,
        rank=filters.rank.value if filters.rank else "",
        organization=org,
        include_refused=filters.all,
        sort=filters.sort,
    )
    return [
        {
            "cadre_id": c.cadre.pk,
            "name": c.cadre.name,
            "organization_name": c.cadre.organization.name,
            "rank": c.cadre.rank,
            "rank_since": c.cadre.rank_since,
            "target_rank": c.offer.rank,
            "score": c.score,
            "grades": [{"year": y, "result": c.grades.get(y, "")} for y in c.years],
            "eligible": c.eligible,
            "refusal": c.refusal,
        }
        for c in rows
    ]


@promotion_router.post(
    "/{int:promotion_round_id}/decide", response=PromotionRoundOut, summary="作出晋升决定"
)
def promotion_decide(request, promotion_round_id: ObjectId, payload: PromotionDecideIn):
    round_ = selectors.promotion_round_get(user=request.user, pk=promotion_round_id)
    services.promotion_decide(
        actor=request.user,
        round_=round_,
        cadre_ids=payload.cadre_ids,
        effective_on=payload.effective_on,
        document=payload.document,
    )
    round_.refresh_from_db()
    return _round_out(request, round_)
