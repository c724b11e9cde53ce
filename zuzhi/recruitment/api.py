import datetime

from ninja import Router, Schema, Status

from zuzhi.core.params import ObjectId
from zuzhi.core.personal import personal_view
from zuzhi.orgs.selectors import org_get

from . import selectors, services
from .models import Stage

router = Router(tags=["发展党员"])


class CandidateOut(Schema):
    id: int
    organization_id: int
    name: str
    id_number: str
    stage: Stage
    applied_on: datetime.date
    activist_on: datetime.date | None
    target_on: datetime.date | None
    admitted_on: datetime.date | None
    extension_months: int
    full_on: datetime.date | None
    member_id: int | None
    earliest_next_step: datetime.date | None


class CandidateIn(Schema):
    organization_id: ObjectId
    applied_on: datetime.date
    name: str
    id_number: str
    ethnicity: str
    education: str = ""
    phone: str = ""
    category: str = "other"
    work_unit: str = ""


class StepIn(Schema):
    on: datetime.date


class ExtensionIn(Schema):
    months: int
    reason: str


def _out(request, candidates: list):
    """The candidates as the caller may see them: one view of personal data, audited once."""
    for candidate in candidates:
        candidate.earliest_next_step = services.earliest_next_step(candidate)
    return personal_view(user=request.user, objects=candidates, where=request.path)


@router.get("", response=list[CandidateOut], summary="发展党员进度")
def candidate_list(request, stage: Stage | None = None):
    return _out(request, list(selectors.candidate_list(user=request.user, stage=stage)))


@router.get("/{int:candidate_id}", response=CandidateOut, summary="发展党员详情")
def candidate_detail(request, candidate_id: ObjectId):
    return _out(request, [selectors.candidate_get(user=request.user, pk=candidate_id)])[0]


@router.post("", response={201: CandidateOut}, summary="登记入党申请")
def candidate_apply(request, payload: CandidateIn):
    data = payload.dict()
    organization = org_get(user=request.user, pk=data.pop("organization_id"))
    applied_on = data.pop("applied_on")
    candidate = services.candidate_apply(
        actor=request.user, organization=organization, applied_on=applied_on, data=data
    )
    return Status(201, _out(request, [candidate])[0])


@router.post("/{int:candidate_id}/advance", response=CandidateOut, summary="进入下一阶段")
def candidate_advance(request, candidate_id: ObjectId, payload: StepIn):
    candidate = selectors.candidate_get(user=request.user, pk=candidate_id)
    candidate = services.candidate_advance(actor=request.user, candidate=candidate, on=payload.on)
    return _out(request, [candidate])[0]


@router.post("/{int:candidate_id}/extend", response=CandidateOut, summary="延长预备期")
def candidate_extend(request, candidate_id: ObjectId, payload: ExtensionIn):
    candidate = selectors.candidate_get(user=request.user, pk=candidate_id)
    candidate = services.candidate_extend_probation(
        actor=request.user, candidate=candidate, months=payload.months, reason=payload.reason
    )
    return _out(request, [candidate])[0]
