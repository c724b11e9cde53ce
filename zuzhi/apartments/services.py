"""Writes of the talent apartments (人才公寓): buildings and flats, applications, and the
allocation cycle allocate → check in → renew → return → inspect. Each write checks that the
actor is the talent office over the county, locks what two clerks could both change, and is
audited in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_bulk_record, audit_record, snapshot
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction
from zuzhi.core.money import yuan
from zuzhi.core.scope import acting_user
from zuzhi.talent.models import Talent, TalentStatus
from zuzhi.talent.scoping import require_talent_office

from . import rules
from .models import (
    FLAT_HOLDING,
    TALENT_HOLDING,
    Allocation,
    AllocationRenewal,
    AllocationStatus,
    ApartmentApplication,
    ApplicationStatus,
    Building,
    Condition,
    Flat,
    FlatStatus,
)

FLAT_TAKEN = "该房间已分配给他人（含待验房），不能重复分配；请先办理退房和验房。"
TALENT_HOUSED = "该人才已分配有人才公寓，同一人不能同时分配两套；请先办理退房。"
APPLICATION_USED = "该入住申请已分配房间，一份申请只能分配一次。"
# A bulk addition beyond this is a typing mistake (a building of 260 flats is the seed's).
MAX_BULK_FLATS = 600


class ApartmentConflict(RuleRefused):
    """A flat or a talent already taken: the API answers 409."""

    def __init__(self, message: str):
        super().__init__(message, status=409)


def _path(building: Building) -> str:
    return building.county.path


def _audit(actor, action, obj, *, path: str, before=None, message: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=obj,
        org_path=path,
        before=before,
        after=snapshot(obj),
        message=message,
    )


# --- buildings and flats -------------------------------------------------------------------
def building_create(*, actor, county, name: str, address: str = "", note: str = "") -> Building:
    require_talent_office(actor, county.path)
    with transaction.atomic():
        building = Building(county=county, name=name.strip(), address=address, note=note)
        building.full_clean()
        building.save()
        _audit(actor, AuditAction.CREATE, building, path=county.path, message="登记人才公寓楼栋")
    return building


def flat_create(
    *,
    actor,
    building: Building,
    number: str,
    floor: int,
    area,
    layout: str = "",
    furnished: bool = True,
    note: str = "",
) -> Flat:
    require_talent_office(actor, _path(building), target=building)
    with transaction.atomic():
        flat = Flat(
            building=building,
            number=number.strip(),
            floor=floor,
            area=area,
            layout=layout,
            furnished=furnished,
            note=note,
        )
        flat.full_clean()
        flat.save()
        _audit(actor, AuditAction.CREATE, flat, path=_path(building), message="登记人才公寓房间")
    return flat


def flats_bulk_create(
    *,
    actor,
    building: Building,
    prefix: str,
    first_floor: int,
    last_floor: int,
    first_room: int,
    last_room: int,
    area,
    layout: str = "",
    furnished: bool = True,
) -> list[Flat]:
    """Add a building's flats at once (批量添加): floors × rooms numbered "{prefix}{floor}{room:02}"
    ("3-" + 2 + 01 → "3-201"). All or nothing: an existing number refuses the whole batch."""
    require_talent_office(actor, _path(building), target=building)
    errors = {}
    if not 1 <= first_floor <= last_floor <= 99:
        errors["last_floor"] = "楼层须在 1 至 99 之间，且起始楼层不大于结束楼层。"
    if not 1 <= first_room <= last_room <= 99:
        errors["last_room"] = "房间序号须在 1 至 99 之间，且起始序号不大于结束序号。"
    if area is None or area <= 0:
        errors["area"] = "请填写大于 0 的面积。"
    if errors:
        raise ValidationError(errors)
    numbers = [
        (floor, f"{prefix.strip()}{floor}{room:02d}")
        for floor in range(first_floor, last_floor + 1)
        for room in range(first_room, last_room + 1)
    ]
    if len(numbers) > MAX_BULK_FLATS:
        raise ValidationError(f"一次最多添加 {MAX_BULK_FLATS} 套房间，本次为 {len(numbers)} 套。")
    with transaction.atomic():
        Building.objects.select_for_update().get(pk=building.pk)
        taken = sorted(
            building.flats.filter(number__in=[n for _, n in numbers]).values_list(
                "number", flat=True
            )
        )
        if taken:
            shown = "、".join(taken[:5]) + ("等" if len(taken) > 5 else "")
            raise ValidationError(f"房号 {shown} 已存在，未添加任何房间。")
        flats = Flat.objects.bulk_create(
            [
                Flat(
                    building=building,
                    number=number,
                    floor=floor,
                    area=area,
                    layout=layout,
                    furnished=furnished,
                )
                for floor, number in numbers
            ]
        )
        path = _path(building)
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[(flat, path, snapshot(flat)) for flat in flats],
        )
    return flats


def flat_set_status(*, actor, flat: Flat, status: str, note: str = "") -> Flat:
    """Put a flat under maintenance (维修) or back to available. A flat someone holds is not
    put under maintenance: it is returned first."""
    require_talent_office(actor, _path(flat.building), target=flat)
    if status not in FlatStatus.values:
        raise ValidationError({"status": "未知的房间状态。"})
    with transaction.atomic():
        # Only the flat's row is locked, not the building and county joined to it.
        flat = (
            Flat.objects.select_for_update(of=("self",))
            .select_related("building__county")
            .get(pk=flat.pk)
        )
        if (
            status == FlatStatus.MAINTENANCE
            and flat.allocations.filter(status__in=FLAT_HOLDING).exists()
        ):
            raise ValidationError("该房间已分配或待验房，须退房验房后才能设为维修。")
        before = snapshot(flat)
        flat.status = status
        if note:
            flat.note = note
        flat.save(update_fields=["status", "note"])
        _audit(actor, AuditAction.UPDATE, flat, path=_path(flat.building), before=before)
    return flat


# --- applications --------------------------------------------------------------------------
def application_create(
    *,
    actor,
    talent: Talent,
    applied_on: datetime.date,
    building: Building | None = None,
    layout: str = "",
    reason: str = "",
) -> ApartmentApplication:
    require_talent_office(actor, talent.county.path, target=talent)
    if building is not None and building.county_id != talent.county_id:
        raise ValidationError({"building": "意向楼栋不属于该人才所在县。"})
    with transaction.atomic():
        Talent.objects.select_for_update().get(pk=talent.pk)
        if talent.apartment_applications.filter(status=ApplicationStatus.PENDING).exists():
            raise ValidationError("该人才已有待审核的入住申请。")
        application = ApartmentApplication(
            county=talent.county,
            talent=talent,
            building=building,
            layout=layout,
            reason=reason,
            applied_on=applied_on,
        )
        application.full_clean()
        application.save()
        _audit(
            actor,
            AuditAction.CREATE,
            application,
            path=talent.county.path,
            message="登记人才公寓入住申请",
        )
    return application


def application_decide(
    *, actor, application: ApartmentApplication, approve: bool, reason: str = ""
) -> ApartmentApplication:
    """Approve or reject a pending application; a rejection gives its reason."""
    require_talent_office(actor, application.county.path, target=application)
    if not approve and not reason.strip():
        raise ValidationError({"reason": "不同意时须填写理由。"})
    with transaction.atomic():
        application = ApartmentApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.PENDING:
            raise ValidationError("该申请已审核，不能再次审核。")
        before = snapshot(application)
        application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
        application.decision_reason = reason.strip()
        application.decided_at = timezone.now()
        application.decided_by = acting_user(actor)
        application.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            application,
            path=application.county.path,
            before=before,
            message="同意入住申请" if approve else "不同意入住申请",
        )
    return application


# --- allocation cycle ----------------------------------------------------------------------
def _check_terms(*, start, end, rent_free: bool, rent_fen: int, deposit_fen: int | None) -> None:
    errors = {}
    if not rules.plausible_day(start):
        errors["start"] = rules.PLAUSIBLE_MESSAGE
    elif not rules.plausible_day(end):
        errors["end"] = rules.PLAUSIBLE_MESSAGE
    elif end <= start:
        errors["end"] = "协议到期日须晚于起始日。"
    elif end > rules.add_years(start, rules.MAX_AGREEMENT_YEARS):
        errors["end"] = f"协议期最长 {rules.MAX_AGREEMENT_YEARS} 年，期满可续签。"
    if rent_free and rent_fen:
        errors["rent_fen"] = "免租的协议不收租金。"
    if not rent_free and (rent_fen is None or rent_fen <= 0):
        errors["rent_fen"] = "不免租时须填写月租金。"
    if rent_fen is not None and rent_fen < 0 or deposit_fen is not None and deposit_fen < 0:
        errors["deposit_fen"] = "金额不能为负数。"
    if errors:
        raise ValidationError(errors)


def allocation_create(
    *,
    actor,
    flat: Flat,
    application: ApartmentApplication,
    start: datetime.date,
    end: datetime.date,
    rent_free: bool = True,
    rent_fen: int = 0,
    deposit_fen: int | None = None,
) -> Allocation:
    """Give a flat (分配) to the talent of an approved application (入住申请), for an agreement
    period. The application is consumed: one allocation per application. The flat, the
    application and the talent are locked first (always in that order), so two clerks cannot
    both allocate the flat, the application or the talent; the unique constraints refuse a
    second one all the same if another transaction got there in between."""
    building = flat.building
    require_talent_office(actor, _path(building), target=flat)
    require_talent_office(actor, application.county.path, target=application)
    if application.county_id != building.county_id:
        raise ValidationError({"application": "人才公寓只分配给本县人才库中的人才。"})
    _check_terms(
        start=start, end=end, rent_free=rent_free, rent_fen=rent_fen, deposit_fen=deposit_fen
    )
    with transaction.atomic():
        flat = Flat.objects.select_for_update().get(pk=flat.pk)
        application = ApartmentApplication.objects.select_for_update().get(pk=application.pk)
        talent = Talent.objects.select_for_update().get(pk=application.talent_id)
        if application.status == ApplicationStatus.ALLOCATED:
            raise ApartmentConflict(APPLICATION_USED)
        if application.status != ApplicationStatus.APPROVED:
            raise ValidationError({"application": "只能依据已同意的入住申请分配。"})
        if talent.status != TalentStatus.IN_COUNTY:
            raise ValidationError({"application": "该人才已离开本县，不能分配人才公寓。"})
        if flat.status == FlatStatus.MAINTENANCE:
            raise ValidationError({"flat": "该房间正在维修，不能分配。"})
        if flat.allocations.filter(status__in=FLAT_HOLDING).exists():
            raise ApartmentConflict(FLAT_TAKEN)
        if talent.apartment_allocations.filter(status__in=TALENT_HOLDING).exists():
            raise ApartmentConflict(TALENT_HOUSED)
        allocation = Allocation(
            flat=flat,
            talent=talent,
            application=application,
            start=start,
            end=end,
            rent_free=rent_free,
            rent_fen=0 if rent_free else rent_fen,
            deposit_fen=deposit_fen,
            allocated_by=acting_user(actor),
        )
        try:
            with transaction.atomic():
                allocation.save()
        except IntegrityError as exc:
            # Another clerk's allocation committed between our check and our insert.
            if Allocation.objects.filter(flat=flat, status__in=FLAT_HOLDING).exists():
                raise ApartmentConflict(FLAT_TAKEN) from exc
            if Allocation.objects.filter(talent=talent, status__in=TALENT_HOLDING).exists():
                raise ApartmentConflict(TALENT_HOUSED) from exc
            raise ApartmentConflict(APPLICATION_USED) from exc
        _audit(
            actor,
            AuditAction.CREATE,
            allocation,
            path=_path(building),
            message=f"分配人才公寓 {flat.number} 给 {talent.name}",
        )
        _application_status(
            actor, application, ApplicationStatus.ALLOCATED, message=f"已分配 {flat}"
        )
    return allocation


def _application_status(actor, application: ApartmentApplication, status: str, message: str):
    """Consume an application (已分配) or give it back (已同意待分配): locked by the caller."""
    before = snapshot(application)
    application.status = status
    application.save(update_fields=["status"])
    _audit(
        actor,
        AuditAction.UPDATE,
        application,
        path=application.county.path,
        before=before,
        message=message,
    )


def _locked(allocation: Allocation, *expected: str) -> Allocation:
    locked = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("flat__building__county", "talent")
        .get(pk=allocation.pk)
    )
    if locked.status not in expected:
        raise ValidationError(f"该分配当前为“{locked.get_status_display()}”，不能办理此项手续。")
    return locked


def allocation_cancel(*, actor, allocation: Allocation, reason: str) -> Allocation:
    """取消分配: a flat given but never moved into (the talent took a job elsewhere) is freed,
    and its application goes back to approved (已同意待分配): the talent still waits for a
    flat and may be given another from it. The reason is audited."""
    require_talent_office(actor, _path(allocation.flat.building), target=allocation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写取消分配的原因。"})
    with transaction.atomic():
        allocation = _locked(allocation, AllocationStatus.ALLOCATED)
        before = snapshot(allocation)
        allocation.status = AllocationStatus.CANCELLED
        allocation.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            allocation,
            path=_path(allocation.flat.building),
            before=before,
            message=f"取消分配（未入住）：{reason[:200]}",
        )
        application = ApartmentApplication.objects.select_for_update().get(
            pk=allocation.application_id
        )
        _application_status(
            actor,
            application,
            ApplicationStatus.APPROVED,
            message=f"分配已取消，申请恢复为待分配：{reason[:200]}",
        )
    return allocation


def allocation_check_in(
    *, actor, allocation: Allocation, checked_in_on: datetime.date, keys_handed: int
) -> Allocation:
    """入住: the date the talent moved in and the keys handed over."""
    require_talent_office(actor, _path(allocation.flat.building), target=allocation)
    with transaction.atomic():
        allocation = _locked(allocation, AllocationStatus.ALLOCATED)
        if not allocation.start <= checked_in_on < allocation.end:
            raise ValidationError({"checked_in_on": "入住日期须在协议期内。"})
        if keys_handed < 1:
            raise ValidationError({"keys_handed": "请填写交付的钥匙数。"})
        before = snapshot(allocation)
        allocation.status = AllocationStatus.CHECKED_IN
        allocation.checked_in_on = checked_in_on
        allocation.keys_handed = keys_handed
        allocation.checked_in_at = timezone.now()
        allocation.save()
        _audit(
            actor,
            AuditAction.UPDATE,
            allocation,
            path=_path(allocation.flat.building),
            before=before,
            message="办理入住",
        )
    return allocation


def allocation_renew(
    *,
    actor,
    allocation: Allocation,
    new_end: datetime.date,
    renewed_on: datetime.date,
    note: str = "",
) -> AllocationRenewal:
    """续签: a later end date; the earlier one stays in the renewal history."""
    require_talent_office(actor, _path(allocation.flat.building), target=allocation)
    with transaction.atomic():
        allocation = _locked(allocation, AllocationStatus.ALLOCATED, AllocationStatus.CHECKED_IN)
        if not rules.plausible_day(new_end) or not rules.plausible_day(renewed_on):
            raise ValidationError({"new_end": rules.PLAUSIBLE_MESSAGE})
        if new_end <= allocation.end:
            raise ValidationError({"new_end": "续签后的到期日须晚于原到期日。"})
        if new_end > rules.add_years(max(allocation.end, renewed_on), rules.MAX_AGREEMENT_YEARS):
            raise ValidationError({"new_end": f"每次续签最长 {rules.MAX_AGREEMENT_YEARS} 年。"})
        renewal = AllocationRenewal.objects.create(
            allocation=allocation,
            previous_end=allocation.end,
            new_end=new_end,
            renewed_on=renewed_on,
            note=note,
            created_by=acting_user(actor),
        )
        before = snapshot(allocation)
        allocation.end = new_end
        allocation.save(update_fields=["end"])
        _audit(
            actor,
            AuditAction.UPDATE,
            allocation,
            path=_path(allocation.flat.building),
            before=before,
            message=f"续签至 {new_end:%Y-%m-%d}",
        )
    return renewal


def allocation_return(
    *,
    actor,
    allocation: Allocation,
    returned_on: datetime.date,
    keys_returned: int,
    today: datetime.date | None = None,
) -> Allocation:
    """退房: the date (not after today, not before the move-in) and the keys handed back; the
    flat waits for its inspection."""
    require_talent_office(actor, _path(allocation.flat.building), target=allocation)
    with transaction.atomic():
        allocation = _locked(allocation, AllocationStatus.CHECKED_IN)
        if returned_on > (today or timezone.localdate()):
            raise ValidationError({"returned_on": "退房日期不能晚于今天。"})
        if returned_on < allocation.checked_in_on:
            raise ValidationError(
                {
                    "returned_on": f"退房日期不能早于入住日期（{allocation.checked_in_on:%Y-%m-%d}）。"
                }
            )
        if keys_returned < 0:
            raise ValidationError({"keys_returned": "钥匙数不能为负数。"})
        before = snapshot(allocation)
        allocation.status = AllocationStatus.RETURNED
        allocation.returned_on = returned_on
        allocation.keys_returned = keys_returned
        allocation.returned_at = timezone.now()
        allocation.save()
        message = "办理退房"
        if allocation.keys_handed and keys_returned < allocation.keys_handed:
            message += f"（交回钥匙 {keys_returned} 把，少于交付的 {allocation.keys_handed} 把）"
        _audit(
            actor,
            AuditAction.UPDATE,
            allocation,
            path=_path(allocation.flat.building),
            before=before,
            message=message,
        )
    return allocation


def allocation_inspect(
    *,
    actor,
    allocation: Allocation,
    inspected_on: datetime.date,
    condition: str,
    damages: str = "",
    deduction_fen: int = 0,
    note: str = "",
    needs_repair: bool = False,
    today: datetime.date | None = None,
) -> Allocation:
    """验房 after the return (on a day not after today, not before the return): the flat's condition, damages and the deduction (fen, at most
    the deposit when there is one). The flat is free again, or under maintenance when it
    needs repair first."""
    require_talent_office(actor, _path(allocation.flat.building), target=allocation)
    errors = {}
    if condition not in Condition.values:
        errors["condition"] = "请选择房屋状况。"
    elif condition == Condition.DAMAGED and not damages.strip():
        errors["damages"] = "有损坏时须写明损坏情况。"
    if deduction_fen is None or deduction_fen < 0:
        errors["deduction_fen"] = "扣款不能为负数。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        allocation = _locked(allocation, AllocationStatus.RETURNED)
        if inspected_on > (today or timezone.localdate()):
            raise ValidationError({"inspected_on": "验房日期不能晚于今天。"})
        if inspected_on < allocation.returned_on:
            raise ValidationError(
                {"inspected_on": f"验房日期不能早于退房日期（{allocation.returned_on:%Y-%m-%d}）。"}
            )
        if allocation.deposit_fen is not None and deduction_fen > allocation.deposit_fen:
            raise ValidationError(
                {"deduction_fen": f"扣款不能超过押金 {yuan(allocation.deposit_fen)} 元。"}
            )
        before = snapshot(allocation)
        allocation.status = AllocationStatus.CLOSED
        allocation.inspected_on = inspected_on
        allocation.condition = condition
        allocation.damages = damages
        allocation.deduction_fen = deduction_fen
        allocation.inspection_note = note
        allocation.inspected_at = timezone.now()
        allocation.save()
        path = _path(allocation.flat.building)
        _audit(actor, AuditAction.UPDATE, allocation, path=path, before=before, message="验房")
        if needs_repair:
            flat = Flat.objects.select_for_update().get(pk=allocation.flat_id)
            flat_before = snapshot(flat)
            flat.status = FlatStatus.MAINTENANCE
            flat.save(update_fields=["status"])
            _audit(
                actor, AuditAction.UPDATE, flat, path=path, before=flat_before, message="验房后维修"
            )
    return allocation
