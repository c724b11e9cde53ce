"""Reads of village reserves (村级后备力量), each starting from the reserve scope
(scoping.py): lists with filters, counts, one record, and age from the birth date."""

import datetime

from django.db.models import Count, Q, QuerySet

from zuzhi.core import idnumber
from zuzhi.core.scope import subtree_q
from zuzhi.core.text import initials_q
from zuzhi.orgs.models import Organization
from zuzhi.orgs.picker import OrgFilter, org_filter
from zuzhi.orgs.selectors import PickerMode

from .models import ReserveCandidate, ReserveStatus, ReturningTalent
from .scoping import (
    TOWNSHIP_CATEGORIES,
    VILLAGE_CATEGORIES,
    reserve_roots,
)


def age_on(birth: datetime.date, today: datetime.date) -> int:
    """Full years (周岁) on `today`."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _person_search(qs: QuerySet, q: str) -> QuerySet:
    """By name, by pinyin initials (zs for 张三), or by the full ID number."""
    number = idnumber.normalize(q)
    if idnumber.SHAPE.match(number):
        return qs.filter(id_number=number)
    if q.isascii():
        return qs.filter(initials_q("name_initials", q))
    return qs.filter(name__contains=q)


def candidates_visible(*, user) -> QuerySet[ReserveCandidate]:
    return ReserveCandidate.objects.visible_to(user).select_related("village")


def candidates_to_send(*, user) -> QuerySet[ReserveCandidate]:
    """Every name the townships passed (待县级联审) in the user's scope: what 报送全部 sends."""
    return candidates_visible(user=user).filter(status=ReserveStatus.TOWNSHIP_APPROVED)


def candidate_list(
    *,
    user,
    village: Organization | None = None,
    township: Organization | None = None,
    source: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[ReserveCandidate]:
    qs = candidates_visible(user=user)
    if village is not None:
        qs = qs.filter(village=village)
    if township is not None:
        qs = qs.filter(subtree_q(township.path, "village__path"))
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = _person_search(qs, q)
    return qs.order_by("village__path", "name", "id")


def candidate_counts(*, qs: QuerySet[ReserveCandidate]) -> dict:
    """Counts by status of a list, in one query: {"total": n, "candidate": n, …, "by_status":
    [(status, label, n), …]} (the statuses with nobody left out)."""
    counts = qs.aggregate(
        total=Count("id"),
        **{s: Count("id", filter=Q(status=s)) for s in ReserveStatus.values},
    )
    counts["by_status"] = [(v, label, counts[v]) for v, label in ReserveStatus.choices if counts[v]]
    return counts


def candidate_get(*, user, pk: int) -> ReserveCandidate:
    """One candidate the user manages; the logged 404 otherwise."""
    return ReserveCandidate.objects.select_related(
        "village", "member", "cadre", "returning_talent"
    ).get_visible_or_404(user, pk=pk)


def talent_list(*, user, village: Organization | None = None, q: str = "") -> QuerySet:
    qs = ReturningTalent.objects.visible_to(user).select_related("home_village")
    if village is not None:
        qs = qs.filter(home_village=village)
    if q:
        qs = _person_search(qs, q)
    return qs.order_by("home_village__path", "name", "id")


def talent_get(*, user, pk: int) -> ReturningTalent:
    return ReturningTalent.objects.select_related("home_village").get_visible_or_404(user, pk=pk)


def villages(*, user) -> QuerySet[Organization]:
    """The villages and communities the user registers reserves for."""
    qs = Organization.objects.filter(unit_category__in=VILLAGE_CATEGORIES, is_active=True)
    q = Q()
    for root in reserve_roots(user):
        q |= subtree_q(root)
    return qs.filter(q).order_by("path") if q else qs.none()


def townships(*, user) -> QuerySet[Organization]:
    qs = Organization.objects.filter(unit_category__in=TOWNSHIP_CATEGORIES)
    q = Q()
    for root in reserve_roots(user):
        q |= subtree_q(root)
    return qs.filter(q).order_by("path") if q else qs.none()


def village_filter(
    *, user, chosen: Organization | None, label: str = "村（社区）", required: bool = False
) -> OrgFilter:
    """A reserve list's village filter (or with `required`, the choice of a village) over the
    user's reserve scope: a select for a county, the picker for a province."""
    return org_filter(
        user=user,
        name="village",
        label=label,
        chosen=chosen,
        mode=PickerMode.STAFF,
        unit_categories=VILLAGE_CATEGORIES,
        required=required,
    )


def township_filter(*, user, chosen: Organization | None) -> OrgFilter:
    return org_filter(
        user=user,
        name="township",
        label="乡镇",
        chosen=chosen,
        mode=PickerMode.STAFF,
        unit_categories=TOWNSHIP_CATEGORIES,
    )


def place_filters(*, user, village=None, township=None) -> dict[str, OrgFilter]:
    """The village and township filters of a reserve list, as its template names them."""
    return {
        "village_filter": village_filter(user=user, chosen=village),
        "township_filter": township_filter(user=user, chosen=township),
    }


def reserve_todo(*, user) -> dict:
    """The reserves waiting on the user's side, in one query: names for the township's first
    review (待乡镇初审), names returned to correct (乡镇退回), and for the county, names the
    townships passed that wait to be sent to the joint review (待报送联审)."""
    return candidates_visible(user=user).aggregate(
        to_review=Count("id", filter=Q(status=ReserveStatus.CANDIDATE)),
        returned=Count("id", filter=Q(status=ReserveStatus.RETURNED)),
        to_send=Count("id", filter=Q(status=ReserveStatus.TOWNSHIP_APPROVED)),
    )
