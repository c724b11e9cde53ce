"""/api/adjustment-cases (五个即调): the cadre section's cases, the county counts and the
decision. The same selectors and services as the pages; anyone else sees no case."""

import datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId

from . import selectors as sel
from . import services
from .models import CaseStatus, Decision, Trigger

router = Router(tags=["五个即调"])


class AdjustmentCauseOut(Schema):
    occurred_on: datetime.date
    text: str


class AdjustmentCaseOut(Schema):
    id: int
    trigger: Trigger
    trigger_label: str = Field(..., alias="get_trigger_display")
    cadre_id: int | None = Field(..., description="干部；职务空缺案件为 null")
    cadre_name: str | None
    team_post_id: int | None = Field(..., description="空缺的班子职位；其他案件为 null")
    organization_id: int
    title: str
    status: CaseStatus
    opened_at: datetime.datetime
    decision: Decision | None
    decision_reason: str
    decided_on: datetime.date | None

    @staticmethod
    def resolve_cadre_name(obj):
        return obj.cadre.name if obj.cadre_id else None

    @staticmethod
    def resolve_decision(obj):
        return obj.decision or None


class AdjustmentCaseDetailOut(AdjustmentCaseOut):
    causes: list[AdjustmentCauseOut]

    @staticmethod
    def resolve_causes(obj):
        return list(obj.causes.order_by("occurred_on", "pk"))


class AdjustmentCaseFilters(Schema):
    trigger: Trigger | None = None
    status: CaseStatus | None = None
    q: str = Field("", max_length=64, description="干部姓名或班子名称")


class AdjustmentCountOut(Schema):
    trigger: Trigger
    label: str
    open: int
    decided: int
    total: int


class AdjustmentDecisionIn(Schema):
    decision: Decision
    decision_reason: str = Field("", max_length=services.MAX_REASON)
    decided_on: datetime.date | None = None


@router.get("", response=list[AdjustmentCaseOut], summary="调整研判案件")
@paginate(Page, page_size=50)
def case_list(request, filters: Query[AdjustmentCaseFilters]):
    return sel.case_list(
        user=request.user, trigger=filters.trigger, status=filters.status, q=filters.q.strip()
    )


@router.get("/summary", response=list[AdjustmentCountOut], summary="按触发情形和状态统计")
def case_summary(request):
    return sel.case_counts(user=request.user)


@router.get("/{int:adjustment_case_id}", response=AdjustmentCaseDetailOut, summary="案件及触发依据")
def case_detail(request, adjustment_case_id: ObjectId):
    return sel.case_get(user=request.user, pk=adjustment_case_id)


@router.post(
    "/{int:adjustment_case_id}/decision", response=AdjustmentCaseDetailOut, summary="记录处理决定"
)
def case_decide(request, adjustment_case_id: ObjectId, payload: AdjustmentDecisionIn):
    """Adjust the post, remove, admonish, or keep with a reason; the case closes."""
    case = sel.case_get(user=request.user, pk=adjustment_case_id)
    return services.case_decide(
        actor=request.user,
        case=case,
        decision=payload.decision,
        reason=payload.decision_reason,
        decided_on=payload.decided_on,
    )
