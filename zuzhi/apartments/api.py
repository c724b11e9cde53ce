"""Talent apartments API (人才公寓, /api/apartments): buildings with their counts, flats with
their state, allocations, applications; allocate, check in, renew, return and inspect as
actions. The talent office's only: anyone else gets the logged 404. Money is integer fen."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import MappedQuerySet, Page
from zuzhi.core.params import ObjectId, QueryText
from zuzhi.talent.scoping import talent_county

from . import selectors as sel
from . import services
from .models import (
    Allocation,
    AllocationStatus,
    ApartmentApplication,
    ApplicationStatus,
    Condition,
    Flat,
    FlatStatus,
)
from .rules import FlatState

router = Router(tags=["人才公寓"])


def _office(request) -> None:
    sel.require_office(user=request.user)


class ApartmentBuildingOut(Schema):
    id: int
    name: str
    address: str
    total: int = Field(description="房间总数")
    occupied: int = Field(description="已分配（含待入住）")
    vacant: int = Field(description="空置可分配")
    inspecting: int = Field(description="已退房待验房")
    maintenance: int = Field(description="维修中")
    ending: int = Field(description="30日内协议到期")
    occupancy_rate: float = Field(description="入住率（%），已分配÷总数")


class ApartmentBuildingIn(Schema):
    name: str = Field(..., min_length=1, max_length=64)
    address: str = Field("", max_length=128)
    note: str = Field("", max_length=2000)


class ApartmentBulkIn(Schema):
    prefix: str = Field("", max_length=8, description="房号前缀，如“3-”")
    first_floor: int = Field(..., ge=1, le=99)
    last_floor: int = Field(..., ge=1, le=99)
    first_room: int = Field(..., ge=1, le=99)
    last_room: int = Field(..., ge=1, le=99)
    area: Decimal = Field(..., gt=0, max_digits=7, decimal_places=2, description="面积（㎡）")
    layout: str = Field("", max_length=32, description="户型")
    furnished: bool = True


class ApartmentFlatOut(Schema):
    id: int
    building_id: int
    building_name: str
    number: str
    floor: int
    layout: str
    area: Decimal
    furnished: bool
    status: FlatStatus
    state: FlatState
    state_label: str
    allocation_id: int | None = Field(description="当前分配（含待验房）")
    talent_name: str | None


class ApartmentFlatStatusIn(Schema):
    status: FlatStatus
    note: str = Field("", max_length=200)


class ApartmentAllocateIn(Schema):
    application_id: ObjectId = Field(
        ..., description="依据的已同意入住申请（人才取自申请；一份申请只分配一次）"
    )
    start: datetime.date = Field(..., description="协议起始日")
    end: datetime.date = Field(..., description="协议到期日")
    rent_free: bool = True
    rent_fen: int = Field(0, ge=0, le=2**31 - 1, description="月租金（分），免租时为 0")
    deposit_fen: int | None = Field(None, ge=0, le=2**31 - 1, description="押金（分）")


class ApartmentRenewalOut(Schema):
    previous_end: datetime.date
    new_end: datetime.date
    renewed_on: datetime.date
    note: str


class ApartmentAllocationOut(Schema):
    id: int
    flat_id: int
    flat_number: str
    building_name: str
    talent_id: int
    talent_name: str
    application_id: int
    status: AllocationStatus
    status_label: str
    start: datetime.date
    end: datetime.date
    rent_free: bool
    rent_fen: int
    deposit_fen: int | None
    allocated_at: datetime.datetime
    checked_in_on: datetime.date | None
    keys_handed: int | None
    returned_on: datetime.date | None
    keys_returned: int | None
    inspected_on: datetime.date | None
    condition: str
    damages: str
    deduction_fen: int
    inspection_note: str
    renewals: list[ApartmentRenewalOut]


class ApartmentCheckInIn(Schema):
    checked_in_on: datetime.date
    keys_handed: int = Field(..., ge=1, le=20)


class ApartmentRenewIn(Schema):
    new_end: datetime.date
    renewed_on: datetime.date | None = Field(None, description="续签日期，默认今天")
    note: str = Field("", max_length=200)


class ApartmentReturnIn(Schema):
    returned_on: datetime.date
    keys_returned: int = Field(..., ge=0, le=20)


class ApartmentInspectIn(Schema):
    inspected_on: datetime.date
    condition: Condition
    damages: str = Field("", max_length=2000)
    deduction_fen: int = Field(0, ge=0, le=2**31 - 1, description="扣款（分）")
    note: str = Field("", max_length=2000)
    needs_repair: bool = Field(False, description="验房后转维修")


class ApartmentApplicationOut(Schema):
    id: int
    talent_id: int
    talent_name: str
    building_id: int | None
    layout: str
    reason: str
    applied_on: datetime.date
    status: ApplicationStatus
    decision_reason: str
    decided_at: datetime.datetime | None


class ApartmentApplicationIn(Schema):
    talent_id: ObjectId
    building_id: ObjectId | None = None
    layout: str = Field("", max_length=32)
    reason: str = Field("", max_length=2000)
    applied_on: datetime.date | None = None


class ApartmentDecisionIn(Schema):
    reason: str = Field("", max_length=200, description="不同意时必填")


def _building(b) -> dict:
    return {
        "id": b.pk,
        "name": b.name,
        "address": b.address,
        "total": b.total,
        "occupied": b.occupied,
        "vacant": b.vacant,
        "inspecting": b.inspecting,
        "maintenance": b.maintenance,
        "ending": b.ending,
        "occupancy_rate": b.rate,
    }


def _flat(f: Flat) -> dict:
    return {
        "id": f.pk,
        "building_id": f.building_id,
        "building_name": f.building.name,
        "number": f.number,
        "floor": f.floor,
        "layout": f.layout,
        "area": f.area,
        "furnished": f.furnished,
        "status": f.status,
        "state": f.state,
        "state_label": f.state.label,
        "allocation_id": f.active_id,
        "talent_name": f.active_talent,
    }


def _allocation(a: Allocation) -> dict:
    return {
        "id": a.pk,
        "flat_id": a.flat_id,
        "flat_number": a.flat.number,
        "building_name": a.flat.building.name,
        "talent_id": a.talent_id,
        "talent_name": a.talent.name,
        "application_id": a.application_id,
        "status": a.status,
        "status_label": a.get_status_display(),
        "renewals": [
            {
                "previous_end": r.previous_end,
                "new_end": r.new_end,
                "renewed_on": r.renewed_on,
                "note": r.note,
            }
            for r in a.renewals.all()
        ],
        **{
            k: getattr(a, k)
            for k in (
                "start",
                "end",
                "rent_free",
                "rent_fen",
                "deposit_fen",
                "allocated_at",
                "checked_in_on",
                "keys_handed",
                "returned_on",
                "keys_returned",
                "inspected_on",
                "condition",
                "damages",
                "deduction_fen",
                "inspection_note",
            )
        },
    }


def _application(a: ApartmentApplication) -> dict:
    return {
        "id": a.pk,
        "talent_id": a.talent_id,
        "talent_name": a.talent.name,
        "building_id": a.building_id,
        "layout": a.layout,
        "reason": a.reason,
        "applied_on": a.applied_on,
        "status": a.status,
        "decision_reason": a.decision_reason,
        "decided_at": a.decided_at,
    }


def _flat_out(request, flat: Flat) -> dict:
    today = timezone.localdate()
    [row] = sel.with_state(
        sel.flats(user=request.user, today=today).filter(pk=flat.pk), today=today
    )
    return _flat(row)


def _allocation_out(request, pk: int) -> dict:
    return _allocation(sel.allocation_get(user=request.user, pk=pk))


# --- buildings and flats -------------------------------------------------------------------
@router.get("/buildings", response=list[ApartmentBuildingOut], summary="楼栋及入住统计")
def building_list(request):
    _office(request)
    return [_building(b) for b in sel.buildings(user=request.user, today=timezone.localdate())]


@router.post("/buildings", response={201: ApartmentBuildingOut}, summary="登记楼栋")
def building_create(request, payload: ApartmentBuildingIn):
    _office(request)
    building = services.building_create(
        actor=request.user, county=talent_county(request.user), **payload.dict()
    )
    rows = sel.buildings(user=request.user, today=timezone.localdate())
    return Status(201, _building(next(b for b in rows if b.pk == building.pk)))


@router.get("/buildings/{int:building_id}", response=ApartmentBuildingOut, summary="楼栋详情")
def building_detail(request, building_id: ObjectId):
    _office(request)
    building = sel.building_get(user=request.user, pk=building_id)
    rows = sel.buildings(user=request.user, today=timezone.localdate())
    return _building(next(b for b in rows if b.pk == building.pk))


@router.post(
    "/buildings/{int:building_id}/flats",
    response={201: list[ApartmentFlatOut]},
    summary="批量添加房间（楼层×房间序号）",
)
def flats_bulk_create(request, building_id: ObjectId, payload: ApartmentBulkIn):
    _office(request)
    building = sel.building_get(user=request.user, pk=building_id)
    created = services.flats_bulk_create(actor=request.user, building=building, **payload.dict())
    today = timezone.localdate()
    rows = sel.flats(user=request.user, today=today, building=building).filter(
        pk__in=[f.pk for f in created]
    )
    return Status(201, [_flat(f) for f in sel.with_state(rows, today=today)])


@router.get("/flats", response=list[ApartmentFlatOut], summary="房间及状态")
@paginate(Page, page_size=100)
def flat_list(
    request,
    building: ObjectId | None = None,
    state: FlatState | None = None,
    q: QueryText = "",
):
    """state：vacant 空置，occupied 已入住，ending 30日内协议到期，inspecting 待验房，
    maintenance 维修中。"""
    _office(request)
    today = timezone.localdate()
    b = sel.building_get(user=request.user, pk=building) if building else None
    qs = sel.flats(user=request.user, today=today, building=b, query=q, state=state or "")
    return MappedQuerySet(qs, lambda f: _flat(sel.with_state([f], today=today)[0]))


@router.get("/flats/{int:flat_id}", response=ApartmentFlatOut, summary="房间详情")
def flat_detail(request, flat_id: ObjectId):
    _office(request)
    return _flat_out(request, sel.flat_get(user=request.user, pk=flat_id))


@router.post("/flats/{int:flat_id}/status", response=ApartmentFlatOut, summary="设为维修/可分配")
def flat_status(request, flat_id: ObjectId, payload: ApartmentFlatStatusIn):
    _office(request)
    flat = sel.flat_get(user=request.user, pk=flat_id)
    services.flat_set_status(actor=request.user, flat=flat, **payload.dict())
    return _flat_out(request, flat)


@router.post(
    "/flats/{int:flat_id}/allocate",
    response={201: ApartmentAllocationOut},
    summary="依据已同意的入住申请分配房间（同一房间、同一人才、同一申请不能重复分配：409）",
)
def flat_allocate(request, flat_id: ObjectId, payload: ApartmentAllocateIn):
    _office(request)
    flat = sel.flat_get(user=request.user, pk=flat_id)
    data = payload.dict()
    application = sel.application_get(user=request.user, pk=data.pop("application_id"))
    allocation = services.allocation_create(
        actor=request.user, flat=flat, application=application, **data
    )
    return Status(201, _allocation_out(request, allocation.pk))


# --- allocations ---------------------------------------------------------------------------
@router.get("/allocations", response=list[ApartmentAllocationOut], summary="分配记录")
@paginate(Page, page_size=50)
def allocation_list(
    request,
    q: QueryText = "",
    status: AllocationStatus | None = None,
    box: Literal["active", "ending"] | None = None,
):
    """box=active 在住及待验房；ending 30日内协议到期（含已过期未退房）。"""
    _office(request)
    if box == "ending":
        qs = sel.ending_soon(user=request.user, today=timezone.localdate())
    else:
        qs = sel.allocations(
            user=request.user, query=q, status=status or "", active=box == "active"
        )
    return MappedQuerySet(qs.prefetch_related("renewals"), _allocation)


@router.get("/allocations/{int:allocation_id}", response=ApartmentAllocationOut, summary="分配详情")
def allocation_detail(request, allocation_id: ObjectId):
    _office(request)
    return _allocation_out(request, allocation_id)


@router.post(
    "/allocations/{int:allocation_id}/check-in", response=ApartmentAllocationOut, summary="入住"
)
def allocation_check_in(request, allocation_id: ObjectId, payload: ApartmentCheckInIn):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    services.allocation_check_in(actor=request.user, allocation=allocation, **payload.dict())
    return _allocation_out(request, allocation_id)


@router.post(
    "/allocations/{int:allocation_id}/renew", response=ApartmentAllocationOut, summary="续签"
)
def allocation_renew(request, allocation_id: ObjectId, payload: ApartmentRenewIn):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    services.allocation_renew(
        actor=request.user,
        allocation=allocation,
        new_end=payload.new_end,
        renewed_on=payload.renewed_on or timezone.localdate(),
        note=payload.note,
    )
    return _allocation_out(request, allocation_id)


@router.post(
    "/allocations/{int:allocation_id}/return", response=ApartmentAllocationOut, summary="退房"
)
def allocation_return(request, allocation_id: ObjectId, payload: ApartmentReturnIn):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    services.allocation_return(actor=request.user, allocation=allocation, **payload.dict())
    return _allocation_out(request, allocation_id)


class ApartmentCancelIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post(
    "/allocations/{int:allocation_id}/cancel",
    response=ApartmentAllocationOut,
    summary="取消分配（未入住）",
)
def allocation_cancel(request, allocation_id: ObjectId, payload: ApartmentCancelIn):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    services.allocation_cancel(actor=request.user, allocation=allocation, reason=payload.reason)
    return _allocation_out(request, allocation_id)


@router.post(
    "/allocations/{int:allocation_id}/inspect", response=ApartmentAllocationOut, summary="验房"
)
def allocation_inspect(request, allocation_id: ObjectId, payload: ApartmentInspectIn):
    _office(request)
    allocation = sel.allocation_get(user=request.user, pk=allocation_id)
    services.allocation_inspect(actor=request.user, allocation=allocation, **payload.dict())
    return _allocation_out(request, allocation_id)


# --- applications --------------------------------------------------------------------------
@router.get("/applications", response=list[ApartmentApplicationOut], summary="入住申请")
@paginate(Page, page_size=50)
def application_list(request, status: ApplicationStatus | None = None, q: QueryText = ""):
    _office(request)
    qs = sel.applications(user=request.user, status=status or "", query=q)
    return MappedQuerySet(qs, _application)


@router.post("/applications", response={201: ApartmentApplicationOut}, summary="登记入住申请")
def application_create(request, payload: ApartmentApplicationIn):
    _office(request)
    talent = sel.talent_get(user=request.user, pk=payload.talent_id)
    building = (
        sel.building_get(user=request.user, pk=payload.building_id) if payload.building_id else None
    )
    application = services.application_create(
        actor=request.user,
        talent=talent,
        building=building,
        layout=payload.layout,
        reason=payload.reason,
        applied_on=payload.applied_on or timezone.localdate(),
    )
    return Status(201, _application(application))


def _decide(request, application_id: int, *, approve: bool, reason: str) -> dict:
    _office(request)
    application = sel.application_get(user=request.user, pk=application_id)
    services.application_decide(
        actor=request.user, application=application, approve=approve, reason=reason
    )
    return _application(sel.application_get(user=request.user, pk=application_id))


@router.post(
    "/applications/{int:application_id}/approve",
    response=ApartmentApplicationOut,
    summary="同意入住申请",
)
def application_approve(request, application_id: ObjectId, payload: ApartmentDecisionIn):
    return _decide(request, application_id, approve=True, reason=payload.reason)


@router.post(
    "/applications/{int:application_id}/reject",
    response=ApartmentApplicationOut,
    summary="不同意入住申请（须填理由）",
)
def application_reject(request, application_id: ObjectId, payload: ApartmentDecisionIn):
    return _decide(request, application_id, approve=False, reason=payload.reason)
