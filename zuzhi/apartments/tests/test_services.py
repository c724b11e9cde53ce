"""The allocation cycle and its refusals, through the services as the talent office uses them."""

import datetime
import itertools
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from zuzhi.apartments import selectors, services
from zuzhi.apartments.models import (
    Allocation,
    AllocationRenewal,
    AllocationStatus,
    ApplicationStatus,
    Flat,
    FlatStatus,
)
from zuzhi.apartments.rules import FlatState
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.money import fen_from_yuan, yuan
from zuzhi.testing.factories import make_talent, valid_id_number

from .conftest import END, START, approved_application

TODAY = datetime.date(2026, 11, 23)


def _allocate(w, flat, talent=None, application=None, **terms):
    data = {"start": START, "end": END, "rent_free": True} | terms
    application = application or approved_application(w, talent)
    return services.allocation_create(actor=w.office, flat=flat, application=application, **data)


_sequence = itertools.count(500)


def _newcomer(w):
    n = next(_sequence)
    return make_talent(w.county.county, name=f"新人{n}", id_number=valid_id_number("19990101", n))


def test_bulk_add_numbers_floors_and_rooms_and_audits_each(talent_world, apartments):
    numbers = [f.number for f in apartments.flats]
    assert numbers[:3] == ["3-101", "3-102", "3-103"] and numbers[-1] == "3-205"
    assert {f.floor for f in apartments.flats} == {1, 2}
    assert apartments.flats[0].area == Decimal("62.50")
    assert AuditLog.objects.filter(target_type="apartments.flat").count() == 11


def test_bulk_add_refuses_an_existing_number_and_adds_nothing(talent_world, apartments):
    with pytest.raises(ValidationError, match="3-201"):
        services.flats_bulk_create(
            actor=talent_world.office,
            building=apartments.building,
            prefix="3-",
            first_floor=2,
            last_floor=3,
            first_room=1,
            last_room=2,
            area=Decimal("60"),
        )
    assert Flat.objects.filter(building=apartments.building).count() == 10


def test_full_cycle_allocate_check_in_renew_return_inspect_frees_the_flat(talent_world, apartments):
    w, flat = talent_world, apartments.flats[0]
    allocation = _allocate(w, flat, rent_free=False, rent_fen=80050, deposit_fen=100000)
    assert selectors.flat_state_of(flat=flat, today=TODAY) == FlatState.OCCUPIED

    services.allocation_check_in(
        actor=w.office, allocation=allocation, checked_in_on=START, keys_handed=2
    )
    renewal = services.allocation_renew(
        actor=w.office,
        allocation=allocation,
        new_end=datetime.date(2028, 8, 31),
        renewed_on=datetime.date(2027, 8, 1),
    )
    allocation.refresh_from_db()
    assert (renewal.previous_end, allocation.end) == (END, datetime.date(2028, 8, 31))

    services.allocation_return(
        actor=w.office,
        allocation=allocation,
        returned_on=datetime.date(2026, 11, 20),
        today=TODAY,
        keys_returned=2,
    )
    assert selectors.flat_state_of(flat=flat, today=TODAY) == FlatState.INSPECTING
    # Returned but not inspected: the flat is still not free to give.
    with pytest.raises(ValidationError, match="不能重复分配"):
        _allocate(w, flat, talent=_newcomer(w))

    services.allocation_inspect(
        actor=w.office,
        allocation=allocation,
        inspected_on=TODAY,
        today=TODAY,
        condition="damaged",
        damages="卫生间镜子破裂",
        deduction_fen=15000,
    )
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.CLOSED
    assert allocation.deduction_fen == 15000 and allocation.rent_fen == 80050
    assert selectors.flat_state_of(flat=flat, today=TODAY) == FlatState.VACANT
    # Available again: the next talent gets it, and the history keeps both.
    _allocate(
        w, flat, talent=_newcomer(w), start=datetime.date(2028, 7, 5), end=datetime.date(2029, 7, 4)
    )
    assert selectors.flat_history(user=w.office, flat=flat).count() == 2
    assert selectors.talent_history(user=w.office, talent=w.talent).get().renewals.count() == 1
    steps = AuditLog.objects.filter(
        target_type="apartments.allocation", target_id=str(allocation.pk)
    )
    assert [r.message for r in steps.order_by("pk")] == [
        f"分配人才公寓 3-101 给 {w.talent.name}",
        "办理入住",
        "续签至 2028-08-31",
        "办理退房",
        "验房",
    ]
    assert allocation.checked_in_at and allocation.returned_at and allocation.inspected_at


def test_a_flat_is_not_allocated_twice(talent_world, apartments):
    w, flat = talent_world, apartments.flats[0]
    _allocate(w, flat)
    with pytest.raises(ValidationError, match="该房间已分配给他人"):
        _allocate(w, flat, talent=_newcomer(w))
    assert Allocation.objects.filter(flat=flat).count() == 1


def test_a_talent_is_not_given_two_flats(talent_world, apartments):
    w = talent_world
    _allocate(w, apartments.flats[0])
    with pytest.raises(ValidationError, match="同一人不能同时分配两套"):
        _allocate(w, apartments.flats[1])
    assert Allocation.objects.filter(talent=w.talent).count() == 1


def test_a_talent_who_returned_the_keys_may_be_given_another_flat(talent_world, apartments):
    w = talent_world
    first = _allocate(w, apartments.flats[0])
    services.allocation_check_in(
        actor=w.office, allocation=first, checked_in_on=START, keys_handed=1
    )
    services.allocation_return(
        actor=w.office, allocation=first, returned_on=datetime.date(2026, 10, 1), keys_returned=1
    )
    second = _allocate(w, apartments.flats[1], start=datetime.date(2026, 10, 1))
    assert second.status == AllocationStatus.ALLOCATED


@pytest.mark.parametrize(
    ("flat_field", "message"),
    [("flat", "one_active_allocation_per_flat"), ("talent", "one_active_allocation_per_talent")],
)
def test_the_database_refuses_a_second_active_allocation(
    talent_world, apartments, flat_field, message
):
    """The constraint holds even for a write that skips the service's checks."""
    w = talent_world
    _allocate(w, apartments.flats[0])
    talent = {"flat": _newcomer(w), "talent": w.talent}[flat_field]
    flat = {"flat": apartments.flats[0], "talent": apartments.flats[1]}[flat_field]
    application = approved_application(w, talent)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            flat=flat, talent=talent, application=application, start=START, end=END
        )


def test_the_locked_service_turns_a_lost_race_into_the_chinese_refusal(
    talent_world, apartments, monkeypatch
):
    """A rival clerk's allocation commits after our check: the insert fails on the constraint
    and the clerk reads the same refusal as when the check had seen it."""
    w, flat = talent_world, apartments.flats[0]
    rival = _newcomer(w)
    rivals_application = approved_application(w, rival)
    mine = approved_application(w)
    checks = {"n": 0}
    original = type(Allocation.objects.none()).exists

    def blind_then_rival(qs):
        # The service's two existence checks see nothing; the rival slips in before the insert.
        if qs.model is Allocation and checks["n"] < 2:
            checks["n"] += 1
            if checks["n"] == 2:
                Allocation.objects.create(
                    flat=flat, talent=rival, application=rivals_application, start=START, end=END
                )
            return False
        return original(qs)

    monkeypatch.setattr(type(Allocation.objects.none()), "exists", blind_then_rival)
    with pytest.raises(ValidationError, match="该房间已分配给他人"):
        _allocate(w, flat, application=mine)
    monkeypatch.undo()
    # The rival's row was written on this test's one connection, inside the refused
    # transaction: both are rolled back; nothing half-done remains.
    assert not Allocation.objects.filter(flat=flat).exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_allocating_the_same_flat_at_once_one_is_refused(talent_world, apartments):
    """True concurrency: two connections allocate the same flat to two talents at the same
    moment. On PostgreSQL the second waits on the flat's row lock and is refused; on SQLite
    the database serializes the writers (one waits for the other's lock), with the same result."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection: no second clerk to race")
    w, flat = talent_world, apartments.flats[0]
    talents = [w.talent, _newcomer(w)]
    barrier = threading.Barrier(2)
    results: list = []

    def clerk(talent):
        from django.db import connections

        try:
            barrier.wait()
            results.append(_allocate(w, Flat.objects.get(pk=flat.pk), talent=talent))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(t,)) for t in talents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(results) == 2 and len(refused) == 1
    assert "不能重复分配" in refused[0].messages[0]
    assert Allocation.objects.filter(flat=flat).count() == 1


def test_a_flat_under_maintenance_is_not_allocated(talent_world, apartments):
    w, flat = talent_world, apartments.flats[0]
    services.flat_set_status(actor=w.office, flat=flat, status=FlatStatus.MAINTENANCE)
    with pytest.raises(ValidationError, match="正在维修"):
        _allocate(w, flat)
    assert selectors.flat_state_of(flat=flat, today=TODAY) == FlatState.MAINTENANCE


def test_a_held_flat_is_not_put_under_maintenance(talent_world, apartments):
    w, flat = talent_world, apartments.flats[0]
    _allocate(w, flat)
    with pytest.raises(ValidationError, match="退房验房后"):
        services.flat_set_status(actor=w.office, flat=flat, status=FlatStatus.MAINTENANCE)


def test_inspection_needing_repair_puts_the_flat_under_maintenance(talent_world, apartments):
    w, flat = talent_world, apartments.flats[0]
    a = _allocate(w, flat)
    services.allocation_check_in(actor=w.office, allocation=a, checked_in_on=START, keys_handed=1)
    services.allocation_return(actor=w.office, allocation=a, returned_on=START, keys_returned=1)
    services.allocation_inspect(
        actor=w.office, allocation=a, inspected_on=START, condition="worn", needs_repair=True
    )
    flat.refresh_from_db()
    assert flat.status == FlatStatus.MAINTENANCE


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (START, START, "须晚于起始日"),
        (START, START - datetime.timedelta(days=1), "须晚于起始日"),
        (START, datetime.date(2031, 9, 2), "最长 5 年"),
    ],
)
def test_agreement_dates_are_validated(talent_world, apartments, start, end, message):
    with pytest.raises(ValidationError, match=message) as exc:
        _allocate(talent_world, apartments.flats[0], start=start, end=end)
    assert "end" in exc.value.message_dict


def test_five_years_on_the_day_is_accepted(talent_world, apartments):
    a = _allocate(talent_world, apartments.flats[0], end=datetime.date(2031, 9, 1))
    assert a.end == datetime.date(2031, 9, 1)


def test_check_in_renew_return_and_inspect_check_their_dates(talent_world, apartments):
    w = talent_world
    a = _allocate(w, apartments.flats[0])
    with pytest.raises(ValidationError, match="协议期内"):
        services.allocation_check_in(
            actor=w.office,
            allocation=a,
            checked_in_on=START - datetime.timedelta(days=1),
            keys_handed=1,
        )
    services.allocation_check_in(actor=w.office, allocation=a, checked_in_on=START, keys_handed=2)
    with pytest.raises(ValidationError, match="晚于原到期日"):
        services.allocation_renew(actor=w.office, allocation=a, new_end=END, renewed_on=TODAY)
    with pytest.raises(ValidationError, match="不能早于入住日期"):
        services.allocation_return(
            actor=w.office,
            allocation=a,
            returned_on=START - datetime.timedelta(days=1),
            keys_returned=2,
        )
    with pytest.raises(ValidationError, match="不能办理此项手续"):
        services.allocation_inspect(
            actor=w.office, allocation=a, inspected_on=TODAY, condition="good"
        )


def test_return_and_inspection_are_dated_between_the_move_in_and_today(talent_world, apartments):
    w = talent_world
    a = _allocate(w, apartments.flats[0])
    services.allocation_check_in(actor=w.office, allocation=a, checked_in_on=START, keys_handed=2)
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as future:
        services.allocation_return(
            actor=w.office, allocation=a, returned_on=tomorrow, keys_returned=2, today=TODAY
        )
    assert future.value.message_dict["returned_on"] == ["退房日期不能晚于今天。"]
    with pytest.raises(ValidationError, match="退房日期不能早于入住日期（2026-09-01）"):
        services.allocation_return(
            actor=w.office,
            allocation=a,
            returned_on=START - datetime.timedelta(days=1),
            keys_returned=2,
            today=TODAY,
        )
    returned_on = datetime.date(2026, 11, 20)
    services.allocation_return(
        actor=w.office, allocation=a, returned_on=returned_on, keys_returned=2, today=TODAY
    )
    inspect = {"actor": w.office, "allocation": a, "condition": "good", "today": TODAY}
    with pytest.raises(ValidationError) as future:
        services.allocation_inspect(**inspect, inspected_on=tomorrow)
    assert future.value.message_dict["inspected_on"] == ["验房日期不能晚于今天。"]
    with pytest.raises(ValidationError, match="验房日期不能早于退房日期（2026-11-20）"):
        services.allocation_inspect(**inspect, inspected_on=returned_on - datetime.timedelta(1))
    services.allocation_inspect(**inspect, inspected_on=TODAY)
    a.refresh_from_db()
    assert (a.status, a.returned_on, a.inspected_on) == ("closed", returned_on, TODAY)


def test_money_is_fen_and_rent_terms_are_consistent(talent_world, apartments):
    w = talent_world
    with pytest.raises(ValidationError, match="免租的协议不收租金"):
        _allocate(w, apartments.flats[0], rent_free=True, rent_fen=50000)
    with pytest.raises(ValidationError, match="须填写月租金"):
        _allocate(w, apartments.flats[0], rent_free=False, rent_fen=0)
    a = _allocate(
        w,
        apartments.flats[0],
        rent_free=False,
        rent_fen=fen_from_yuan("650.10"),
        deposit_fen=fen_from_yuan("1300"),
    )
    a.refresh_from_db()
    assert (a.rent_fen, a.deposit_fen) == (65010, 130000)
    assert isinstance(a.rent_fen, int) and yuan(a.rent_fen) == "650.10"
    services.allocation_check_in(actor=w.office, allocation=a, checked_in_on=START, keys_handed=1)
    services.allocation_return(actor=w.office, allocation=a, returned_on=TODAY, keys_returned=1)
    with pytest.raises(ValidationError, match="不能超过押金 1300.00 元"):
        services.allocation_inspect(
            actor=w.office,
            allocation=a,
            inspected_on=TODAY,
            condition="damaged",
            damages="门锁",
            deduction_fen=130001,
        )


def test_a_talent_who_left_or_of_another_county_gets_no_flat(talent_world, apartments):
    w = talent_world
    gone = make_talent(
        w.county.county, name="离县", id_number=valid_id_number("19970101", 600), status="left"
    )
    with pytest.raises(ValidationError, match="已离开本县"):
        _allocate(w, apartments.flats[0], talent=gone)
    with pytest.raises(Http404):  # the other county's talent is outside the office
        _allocate(w, apartments.flats[0], talent=w.other_talent)


def test_applications_are_approved_or_rejected_with_a_reason(talent_world, apartments):
    w = talent_world
    application = services.application_create(
        actor=w.office,
        talent=w.talent,
        building=apartments.building,
        layout="两室一厅",
        applied_on=TODAY,
    )
    with pytest.raises(ValidationError, match="待审核"):
        services.application_create(actor=w.office, talent=w.talent, applied_on=TODAY)
    with pytest.raises(ValidationError, match="须填写理由"):
        services.application_decide(actor=w.office, application=application, approve=False)
    services.application_decide(actor=w.office, application=application, approve=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.decided_by == w.office
    with pytest.raises(ValidationError, match="已审核"):
        services.application_decide(
            actor=w.office, application=application, approve=False, reason="x"
        )
    a = _allocate(w, apartments.flats[0], application=application)
    assert a.application == application


def test_the_other_county_office_cannot_write_here(talent_world, apartments):
    from django.http import Http404

    w = talent_world
    with pytest.raises(Http404):
        services.allocation_create(
            actor=w.other_office,
            flat=apartments.flats[0],
            application=approved_application(w),
            start=START,
            end=END,
        )
    with pytest.raises(Http404):
        services.flats_bulk_create(
            actor=w.county_staff,
            building=apartments.building,
            prefix="9-",
            first_floor=1,
            last_floor=1,
            first_room=1,
            last_room=1,
            area=Decimal("50"),
        )
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2
    assert not AllocationRenewal.objects.exists()


def test_an_implausible_year_is_refused_not_an_overflow(talent_world, apartments):
    w = talent_world
    with pytest.raises(ValidationError, match="2000 年至 2099 年"):
        _allocate(
            w, apartments.flats[0], start=datetime.date(9999, 1, 1), end=datetime.date(9999, 12, 31)
        )
    a = _allocate(w, apartments.flats[0])
    with pytest.raises(ValidationError, match="2000 年至 2099 年"):
        services.allocation_renew(
            actor=w.office, allocation=a, new_end=datetime.date(9999, 1, 1), renewed_on=TODAY
        )


def test_a_flat_never_moved_into_is_cancelled_and_freed(talent_world, apartments):
    w = talent_world
    allocation = _allocate(w, apartments.flats[0])
    with pytest.raises(ValidationError):
        services.allocation_cancel(actor=w.office, allocation=allocation, reason=" ")
    with pytest.raises(Http404):
        services.allocation_cancel(actor=w.other_office, allocation=allocation, reason="x")
    cancelled = services.allocation_cancel(
        actor=w.office, allocation=allocation, reason="到外地就业，未入住"
    )
    assert cancelled.status == AllocationStatus.CANCELLED
    # Both the flat and the talent are free again.
    again = _allocate(w, apartments.flats[0])
    assert again.status == AllocationStatus.ALLOCATED
    services.allocation_check_in(
        actor=w.office, allocation=again, checked_in_on=START, keys_handed=1
    )
    with pytest.raises(ValidationError):  # a checked-in allocation is returned, not cancelled
        services.allocation_cancel(actor=w.office, allocation=again, reason="x")


def test_an_allocation_is_made_from_an_approved_application_and_consumes_it(
    talent_world, apartments
):
    w = talent_world
    pending = services.application_create(actor=w.office, talent=w.talent, applied_on=TODAY)
    with pytest.raises(ValidationError, match="只能依据已同意的入住申请分配"):
        _allocate(w, apartments.flats[0], application=pending)
    services.application_decide(actor=w.office, application=pending, approve=False, reason="无")
    with pytest.raises(ValidationError, match="只能依据已同意的入住申请分配"):
        _allocate(w, apartments.flats[0], application=pending)
    assert not Allocation.objects.exists()

    application = approved_application(w)
    allocation = _allocate(w, apartments.flats[0], application=application)
    application.refresh_from_db()
    assert allocation.talent == application.talent == w.talent
    assert application.status == ApplicationStatus.ALLOCATED
    assert AuditLog.objects.filter(
        target_type="apartments.apartmentapplication",
        target_id=str(application.pk),
        message__startswith="已分配",
    ).exists()
    # Consumed: the same application backs no second allocation, even once the first flat
    # is handed back.
    services.allocation_check_in(
        actor=w.office, allocation=allocation, checked_in_on=START, keys_handed=1
    )
    services.allocation_return(
        actor=w.office, allocation=allocation, returned_on=START, keys_returned=1, today=TODAY
    )
    with pytest.raises(ValidationError, match="一份申请只能分配一次") as refused:
        _allocate(w, apartments.flats[1], application=application)
    assert refused.value.status == 409
    assert Allocation.objects.filter(application=application).count() == 1


def test_cancelling_an_allocation_gives_its_application_back(talent_world, apartments):
    w = talent_world
    application = approved_application(w)
    first = _allocate(w, apartments.flats[0], application=application)
    services.allocation_cancel(actor=w.office, allocation=first, reason="到外地就业，未入住")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    # The talent still waits: another flat is given from the same application.
    second = _allocate(w, apartments.flats[1], application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ALLOCATED
    assert list(application.allocations.order_by("pk").values_list("status", flat=True)) == [
        AllocationStatus.CANCELLED,
        AllocationStatus.ALLOCATED,
    ]
    assert second.talent == w.talent


def test_the_database_refuses_a_second_live_allocation_of_one_application(talent_world, apartments):
    """The constraint holds even for a write that skips the service's checks."""
    w = talent_world
    application = approved_application(w)
    first = _allocate(w, apartments.flats[0], application=application)
    Allocation.objects.filter(pk=first.pk).update(status=AllocationStatus.CLOSED)
    with pytest.raises(IntegrityError, match="application"):
        with transaction.atomic():
            Allocation.objects.create(
                flat=apartments.flats[1],
                talent=w.talent,
                application=application,
                start=START,
                end=END,
            )


@pytest.mark.django_db(transaction=True)
def test_two_clerks_allocating_one_application_at_once_one_is_refused(talent_world, apartments):
    """Two connections allocate two flats from the same approved application at the same
    moment: the application's row lock makes the second wait, read it as allocated and refuse."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection: no second clerk to race")
    w = talent_world
    application = approved_application(w)
    barrier = threading.Barrier(2)
    results: list = []

    def clerk(flat):
        from django.db import connections

        try:
            barrier.wait()
            results.append(_allocate(w, Flat.objects.get(pk=flat.pk), application=application))
        except ValidationError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(f,)) for f in apartments.flats[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(results) == 2 and len(refused) == 1
    assert Allocation.objects.filter(application=application).count() == 1
