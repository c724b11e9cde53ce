"""Reads of the talent apartments: buildings with their counts, the grid of a building's flats
by state, lists, agreements ending soon, history per flat and per talent, a talent's own flat.
Every read starts from the scoped managers (talent.scoping)."""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from zuzhi.talent.models import Talent, TalentStatus
from zuzhi.talent.scoping import is_talent_staff, require_talent_office

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
    Flat,
    FlatStatus,
)
from .rules import FlatState


def may_manage(*, user) -> bool:
    return is_talent_staff(user)


def require_office(*, user) -> None:
    """The apartments' lists are the talent office's: others get the logged 404."""
    require_talent_office(user, message="试图查看人才公寓（仅人才办）")


def _cutoff(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=rules.ENDING_DAYS)


def buildings(*, user, today: datetime.date) -> list[Building]:
    """The buildings with their counts (总数, 已入住, 空置, 待验房, 维修, 将到期, 入住率)."""
    holding = Q(flats__allocations__status__in=TALENT_HOLDING)
    rows = list(
        Building.objects.visible_to(user)
        .select_related("county")
        .annotate(
            total=Count("flats", distinct=True),
            maintenance=Count(
                "flats", filter=Q(flats__status=FlatStatus.MAINTENANCE), distinct=True
            ),
            occupied=Count("flats__allocations", filter=holding, distinct=True),
            ending=Count(
                "flats__allocations",
                filter=holding & Q(flats__allocations__end__lte=_cutoff(today)),
                distinct=True,
            ),
            inspecting=Count(
                "flats__allocations",
                filter=Q(flats__allocations__status=AllocationStatus.RETURNED),
                distinct=True,
            ),
        )
    )
    for b in rows:
        b.vacant = b.total - b.occupied - b.inspecting - b.maintenance
        b.rate = round(100 * b.occupied / b.total, 1) if b.total else 0
    return rows


def building_get(*, user, pk: int) -> Building:
    return Building.objects.get_visible_or_404(user, pk=pk)


def _with_active(qs: QuerySet) -> QuerySet:
    active = Allocation.objects.filter(flat=OuterRef("pk"), status__in=FLAT_HOLDING)
    return qs.annotate(
        active_status=Subquery(active.values("status")[:1]),
        active_end=Subquery(active.values("end")[:1]),
        active_id=Subquery(active.values("pk")[:1]),
        active_talent=Subquery(active.values("talent__name")[:1]),
    )


def with_state(flats, *, today: datetime.date) -> list[Flat]:
    """Flats of `_with_active` with `.state` set (rules.flat_state)."""
    rows = list(flats)
    for f in rows:
        f.state = rules.flat_state(
            status=f.status, allocation_status=f.active_status, end=f.active_end, today=today
        )
    return rows


STATE_FILTERS = {
    FlatState.VACANT: lambda today: Q(status=FlatStatus.AVAILABLE, active_status__isnull=True),
    FlatState.OCCUPIED: lambda today: (
        Q(active_status__in=TALENT_HOLDING) & Q(active_end__gt=_cutoff(today))
    ),
    FlatState.ENDING: lambda today: (
        Q(active_status__in=TALENT_HOLDING) & Q(active_end__lte=_cutoff(today))
    ),
    FlatState.INSPECTING: lambda today: Q(active_status=AllocationStatus.RETURNED),
    FlatState.MAINTENANCE: lambda today: Q(status=FlatStatus.MAINTENANCE),
}


def flats(
    *,
    user,
    today: datetime.date,
    building: Building | None = None,
    query: str = "",
    state: str = "",
) -> QuerySet:
    qs = _with_active(Flat.objects.visible_to(user).select_related("building"))
    if building is not None:
        qs = qs.filter(building=building)
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(building__name__icontains=query)
            | Q(layout__icontains=query)
        )
    if state in STATE_FILTERS:
        qs = qs.filter(STATE_FILTERS[state](today))
    return qs.order_by("building__name", "building_id", "floor", "number")


def building_grid(*, user, building: Building, today: datetime.date) -> list[tuple[int, list]]:
    """The building's flats by floor, top floor first, each with its state."""
    rows = with_state(flats(user=user, today=today, building=building), today=today)
    floors: dict[int, list[Flat]] = {}
    for f in rows:
        floors.setdefault(f.floor, []).append(f)
    return sorted(floors.items(), reverse=True)


def flat_get(*, user, pk: int) -> Flat:
    return Flat.objects.get_visible_or_404(user, pk=pk)


def flat_state_of(*, flat: Flat, today: datetime.date) -> FlatState:
    [row] = with_state(_with_active(Flat.objects.filter(pk=flat.pk)), today=today)
    return row.state


def _allocation_qs(user) -> QuerySet:
    return Allocation.objects.visible_to(user).select_related(
        "flat__building", "talent", "application"
    )


def allocations(*, user, query: str = "", status: str = "", active: bool = False) -> QuerySet:
    qs = _allocation_qs(user)
    if active:
        qs = qs.filter(status__in=FLAT_HOLDING)
    if status in AllocationStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(talent__name__icontains=query)
            | Q(flat__number__icontains=query)
            | Q(flat__building__name__icontains=query)
            | Q(talent__employer__icontains=query)
        )
    return qs.order_by("flat__building__name", "flat__floor", "flat__number", "-id")


def allocation_get(*, user, pk: int) -> Allocation:
    return Allocation.objects.get_visible_or_404(user, pk=pk)


def renewals(*, user, allocation: Allocation) -> QuerySet:
    return AllocationRenewal.objects.visible_to(user).filter(allocation=allocation)


def ending_soon(*, user, today: datetime.date) -> QuerySet:
    """Agreements in force ending within ENDING_DAYS (or already past their end and not yet
    returned): a reminder to renew or to arrange the return, soonest first."""
    return (
        _allocation_qs(user)
        .filter(status__in=TALENT_HOLDING, end__lte=_cutoff(today))
        .order_by("end", "id")
    )


def flat_history(*, user, flat: Flat) -> QuerySet:
    return (
        _allocation_qs(user)
        .filter(flat=flat)
        .prefetch_related(Prefetch("renewals", AllocationRenewal.objects.order_by("renewed_on")))
        .order_by("-start", "-id")
    )


def talent_history(*, user, talent: Talent) -> QuerySet:
    return (
        _allocation_qs(user)
        .filter(talent=talent)
        .prefetch_related(Prefetch("renewals", AllocationRenewal.objects.order_by("renewed_on")))
        .order_by("-start", "-id")
    )


def my_allocations(*, user) -> QuerySet:
    """The signed-in talent's own allocations (本人的人才公寓), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Allocation.objects.none()
    return (
        Allocation.objects.filter(talent__user=user)
        .select_related("flat__building", "talent")
        .prefetch_related("renewals")
        .order_by("-start", "-id")
    )


def applications(*, user, status: str = "", query: str = "") -> QuerySet:
    qs = ApartmentApplication.objects.visible_to(user).select_related("talent", "building")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(talent__name__icontains=query) | Q(talent__employer__icontains=query))
    return qs


def application_get(*, user, pk: int) -> ApartmentApplication:
    return ApartmentApplication.objects.get_visible_or_404(user, pk=pk)


def applications_to_allocate(*, user) -> QuerySet:
    """Approved applications (已同意待分配) of talents in the county without a flat: what the
    allocation form offers, oldest first."""
    return (
        ApartmentApplication.objects.visible_to(user)
        .filter(status=ApplicationStatus.APPROVED, talent__status=TalentStatus.IN_COUNTY)
        .exclude(talent__apartment_allocations__status__in=TALENT_HOLDING)
        .select_related("talent", "building")
        .order_by("applied_on", "id")
    )


def talent_get(*, user, pk: int) -> Talent:
    return Talent.objects.get_visible_or_404(user, pk=pk)


def talents_to_house(*, user) -> QuerySet:
    """Talents in the county without a flat: the choices of the allocation form."""
    return (
        Talent.objects.visible_to(user)
        .filter(status=TalentStatus.IN_COUNTY)
        .exclude(apartment_allocations__status__in=TALENT_HOLDING)
        .order_by("name", "id")
    )


def building_choices(*, user) -> QuerySet:
    return Building.objects.visible_to(user).order_by("name", "id")


def occupancy_rows(*, user, today: datetime.date, building: Building | None = None):
    """Every flat with its state and, if held, the allocation: the occupancy export."""
    qs = flats(user=user, today=today, building=building)
    rows = with_state(qs, today=today)
    held = {
        a.flat_id: a
        for a in _allocation_qs(user).filter(flat__in=[f.pk for f in rows], status__in=FLAT_HOLDING)
    }
    return [(f, held.get(f.pk)) for f in rows]
