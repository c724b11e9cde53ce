"""/api/subsidy-policies and /api/subsidy-runs (人才补贴): the talent office's only; anyone
else gets the logged 404. Thin over selectors and services; money in fen."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.talent.scoping import require_talent_office, talent_county

from . import payroll, selectors, services
from .exports import run_export_response
from .models import LineKind, RunStatus
from .months import parse_month

policy_router = Router(tags=["人才补贴"])
run_router = Router(tags=["人才补贴"])


def _office(request) -> None:
    require_talent_office(request.user, message="试图使用人才补贴接口（仅人才办）")


class SubsidyPolicyOut(Schema):
    id: int
    county_id: int
    name: str
    amounts_fen: dict[str, int] = Field(..., description="每月补贴标准（分），按学历学位代码")
    max_age_at_arrival: int | None
    require_county_employer: bool
    arrived_from: datetime.date | None
    arrived_until: datetime.date | None
    duration_months: int
    active: bool
    note: str


class SubsidyPolicyIn(Schema):
    name: str = Field(..., min_length=1, max_length=128)
    amounts_fen: dict[str, int] = Field(
        ..., description='如 {"doctor": 500000, "master": 300000, "bachelor": 100000}'
    )
    max_age_at_arrival: int | None = Field(None, ge=16, le=80)
    require_county_employer: bool = True
    arrived_from: datetime.date | None = None
    arrived_until: datetime.date | None = None
    duration_months: int = Field(36, ge=1, le=240)
    active: bool = True
    note: str = Field("", max_length=2000)


@policy_router.get("", response=list[SubsidyPolicyOut], summary="补贴政策列表")
@paginate(Page, page_size=50)
def subsidy_policy_list(request):
    _office(request)
    return selectors.policy_list(user=request.user)


@policy_router.post("", response={201: SubsidyPolicyOut}, summary="新建补贴政策")
def subsidy_policy_create(request, payload: SubsidyPolicyIn):
    _office(request)
    county = talent_county(request.user)
    policy = services.subsidy_policy_create(actor=request.user, county=county, data=payload.dict())
    return Status(201, policy)


@policy_router.get("/{int:subsidy_policy_id}", response=SubsidyPolicyOut, summary="补贴政策详情")
def subsidy_policy_get(request, subsidy_policy_id: ObjectId):
    return selectors.policy_get(user=request.user, pk=subsidy_policy_id)


@policy_router.patch(
    "/{int:subsidy_policy_id}", response=SubsidyPolicyOut, summary="修改补贴政策（部分字段）"
)
def subsidy_policy_patch(request, subsidy_policy_id: ObjectId, payload: Partial[SubsidyPolicyIn]):
    policy = selectors.policy_get(user=request.user, pk=subsidy_policy_id)
    return services.subsidy_policy_update(actor=request.user, policy=policy, data=dict(payload))


class SubsidyRunOut(Schema):
    id: int
    policy_id: int
    policy: str = Field(..., alias="policy.name")
    month: str = Field(..., description="YYYY-MM")
    status: RunStatus
    recipients: int
    paid_count: int
    stopped_count: int
    total_fen: int
    approved_at: datetime.datetime | None
    export_url: str | None = Field(..., description="已审核批次的财政发放表（Excel）")

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_export_url(obj):
        if obj.status != RunStatus.APPROVED:
            return None
        return reverse("api:subsidy_run_export", kwargs={"subsidy_run_id": obj.pk})


class SubsidyRunFilters(Schema):
    policy: ObjectId | None = Field(None, description="补贴政策 id")


class SubsidyRunIn(Schema):
    policy_id: ObjectId
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="发放月份 YYYY-MM")


class SubsidyLineOut(Schema):
    id: int
    talent_id: int
    name: str = Field(..., alias="talent.name")
    id_number: str = Field(..., alias="talent.id_number")
    kind: LineKind
    month: str = Field(..., description="补贴月份 YYYY-MM（补发、扣回为所更正的月份）")
    degree: str
    amount_fen: int
    note: str

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"


class SubsidyLineFilters(Schema):
    kind: LineKind | None = None
    q: QueryText = Field("", description="姓名、拼音首字母或公民身份号码")


class _LinesPage(PersonalPage):
    """Each page's talents through the personal-data policy (their ID numbers)."""

    def __getitem__(self, item):
        lines = list(self.qs[item])
        self.fn([line.talent for line in lines])
        return lines


@run_router.get("", response=list[SubsidyRunOut], summary="发放批次列表")
@paginate(Page, page_size=50)
def subsidy_run_list(request, filters: Query[SubsidyRunFilters]):
    _office(request)
    policy = selectors.policy_get(user=request.user, pk=filters.policy) if filters.policy else None
    return selectors.run_list(user=request.user, policy=policy)


@run_router.post(
    "", response={201: SubsidyRunOut}, summary="生成某月发放批次（人数多时由后台任务计算）"
)
def subsidy_run_create(request, payload: SubsidyRunIn):
    _office(request)
    policy = selectors.policy_get(user=request.user, pk=payload.policy_id)
    month = parse_month(payload.month)
    if month is None:
        raise ValidationError({"month": "发放月份格式应为 YYYY-MM。"})
    run = payroll.subsidy_run_create(actor=request.user, policy=policy, month=month)
    return Status(201, run)


@run_router.get("/{int:subsidy_run_id}", response=SubsidyRunOut, summary="发放批次详情")
def subsidy_run_get(request, subsidy_run_id: ObjectId):
    return selectors.run_get(user=request.user, pk=subsidy_run_id)


@run_router.get(
    "/{int:subsidy_run_id}/lines", response=list[SubsidyLineOut], summary="发放批次明细（分页）"
)
@paginate(Page, page_size=100)
def subsidy_run_lines(request, subsidy_run_id: ObjectId, filters: Query[SubsidyLineFilters]):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    qs = selectors.run_lines(user=request.user, run=run, kind=filters.kind or "", query=filters.q)
    return _LinesPage(qs, user=request.user, where=request.path)


@run_router.post(
    "/{int:subsidy_run_id}/approve", response=SubsidyRunOut, summary="审核发放批次（审核后锁定）"
)
def subsidy_run_approve(request, subsidy_run_id: ObjectId):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    return payroll.subsidy_run_approve(actor=request.user, run=run)


@run_router.post(
    "/{int:subsidy_run_id}/recompute", response=SubsidyRunOut, summary="重新计算（未审核的批次）"
)
def subsidy_run_recompute(request, subsidy_run_id: ObjectId):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    return payroll.subsidy_run_recompute(actor=request.user, run=run)


@run_router.get(
    "/{int:subsidy_run_id}/export",
    url_name="subsidy_run_export",
    summary="财政发放表（Excel；已审核的批次；含完整身份号码和银行账号，留痕）",
)
def subsidy_run_export(request, subsidy_run_id: ObjectId):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    return run_export_response(actor=request.user, run=run, where=request.path)
