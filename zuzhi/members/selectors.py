"""Reads of the member registry, always through the user's scope."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.models import AuditLog, CodeItem
from zuzhi.core.scope import ancestor_paths, scope_queryset, subtree_q
from zuzhi.core.text import initials_q
from zuzhi.orgs.models import Organization, UnitCategory

from .models import (
    CaseKind,
    Member,
    MemberCase,
    MemberTransfer,
    MobileRecord,
    TransferStatus,
)


def own_member_id(user) -> int | None:
    """The member record of the user's own account (Member.user: a member's own login, as
    in 千名党员联万户), if any; cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_zuzhi_member_id"):
        user._zuzhi_member_id = (
            Member.objects.filter(user=user).values_list("pk", flat=True).first()
        )
    return user._zuzhi_member_id


def member_scoped(*, user) -> QuerySet[Member]:
    return Member.objects.visible_to(user)


@dataclass(frozen=True)
class AgeBand:
    """An age band (年龄段) of the Party's statistics, in whole years on the day asked."""

    key: str
    label: str
    low: int | None
    high: int | None


AGE_BANDS = (
    AgeBand("35", "35 岁及以下", None, 35),
    AgeBand("36-45", "36～45 岁", 36, 45),
    AgeBand("46-55", "46～55 岁", 46, 55),
    AgeBand("56-60", "56～60 岁", 56, 60),
    AgeBand("61", "61 岁及以上", 61, None),
)
AGE_BAND_KEYS = {band.key: band for band in AGE_BANDS}

# The orders a member list may be sorted in (a whitelist: nothing from the query string
# reaches order_by). Each ends on the primary key so that pages never overlap.
MEMBER_SORTS = {
    "org": ("organization__path", "name_initials", "name", "pk"),
    "name": ("name_initials", "name", "pk"),
    "-name": ("-name_initials", "-name", "-pk"),
    "join_date": ("join_date", "pk"),
    "-join_date": ("-join_date", "-pk"),
    "birth_date": ("birth_date", "pk"),
    "-birth_date": ("-birth_date", "-pk"),
    "-org": ("-organization__path", "name_initials", "name", "pk"),
}
DEFAULT_SORT = "org"


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_band_q(band: AgeBand, *, today: datetime.date) -> Q:
    """The band as a range of birth dates, so the database filters on the indexed column:
    aged at least `low` is born on or before `today` minus `low` years; aged at most `high`
    is born after `today` minus `high + 1` years."""
    q = Q()
    if band.low is not None:
        q &= Q(birth_date__lte=_years_before(today, band.low))
    if band.high is not None:
        q &= Q(birth_date__gt=_years_before(today, band.high + 1))
    return q


def education_groups() -> QuerySet[CodeItem]:
    """The top entries of the ZB64 学历 table (研究生教育, 本科教育, 专科教育, 中专 …) that a
    list filters by: each stands for itself and the entries under it."""
    return CodeItem.objects.filter(table="ZB64", parent_code="").order_by("code")


def member_list(
    *,
    user,
    q: str | None = None,
    within=None,
    status: str | None = None,
    category: str | None = None,
    gender: str | None = None,
    education: str | None = None,
    age_band: str | None = None,
    ids: list[int] | None = None,
    sort: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Member]:
    """Members the user may see. `q` matches a name, pinyin initials in any reading of the
    surname (曾国华 by zgh as well as cgh), or a whole ID number (found without being shown:
    lists mask it). `within` is an organization whose subtree is listed; `education` a ZB64
    group (its own code and those under it); `age_band` a key of AGE_BANDS; `ids` the members
    chosen on the page; `sort` a key of MEMBER_SORTS. Every filter is a database condition, so
    the list pages and counts at any scale."""
    qs = member_scoped(user=user).select_related("organization")
    if within is not None:
        qs = qs.filter(subtree_q(within.path, "organization__path"))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if gender:
        qs = qs.filter(gender=gender)
    if education:
        group = CodeItem.objects.filter(table="ZB64").filter(
            Q(code=education) | Q(parent_code=education)
        )
        qs = qs.filter(education__in=group.values("code"))
    if age_band in AGE_BAND_KEYS:
        qs = qs.filter(age_band_q(AGE_BAND_KEYS[age_band], today=today or timezone.localdate()))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if q:
        q = q.strip()
        number = idnumber.normalize(q)
        if idnumber.SHAPE.match(number):
            qs = qs.filter(id_number=number)
        else:
            qs = qs.filter(Q(name__contains=q) | initials_q("name_initials", q))
    return qs.order_by(*MEMBER_SORTS.get(sort or DEFAULT_SORT, MEMBER_SORTS[DEFAULT_SORT]))


def member_get(*, user, pk) -> Member:
    return Member.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def member_history(*, user, member: Member) -> QuerySet[AuditLog]:
    member = member_get(user=user, pk=member.pk)
    return AuditLog.objects.filter(target_type="members.member", target_id=str(member.pk))


def transfer_list(
    *, user, direction: str = "incoming", status: str | None = TransferStatus.PENDING
):
    """Transfers into (incoming) or out of (outgoing) the user's scope."""
    field = "to_org__path" if direction == "incoming" else "from_org__path"
    qs = scope_queryset(user, MemberTransfer.objects.all(), path_field=field)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "from_org", "to_org", "requested_by")


def transfer_get(*, user, pk) -> MemberTransfer:
    """A transfer the user sends or receives; anything else is not found."""
    return MemberTransfer.objects.select_related("member", "from_org", "to_org").get_visible_or_404(
        user, pk=pk
    )


def transfers_to_receive_count(*, user) -> int:
    """Transfers waiting for the user's side to accept or return them (待接收的转接)."""
    return transfer_list(user=user, direction="incoming").count()


TRANSFER_DONE = (TransferStatus.ACCEPTED, TransferStatus.REJECTED, TransferStatus.CANCELLED)


def transfer_done_list(*, user, status: str | None = None) -> QuerySet[MemberTransfer]:
    """Transfers finished either way (已接收、已退回、已撤销) that the user sent or received,
    the latest finished first."""
    statuses = [status] if status in TRANSFER_DONE else TRANSFER_DONE
    return (
        MemberTransfer.objects.visible_to(user)
        .filter(status__in=statuses)
        .select_related("member", "from_org", "to_org")
        .order_by("-decided_at", "-pk")
    )


def transfer_target_township(*, to_org: Organization) -> str:
    """The name of the township (乡镇、街道) a receiving organization belongs to, or of its
    parent where it belongs to none (a county department's branch). A sender of another
    township is shown this name beside the target's, and nothing else of that township."""
    chain = Organization.objects.filter(path__in=[*ancestor_paths(to_org.path), to_org.path])
    township = (
        chain.filter(unit_category__in=(UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT))
        .order_by("-path")
        .values_list("name", flat=True)
        .first()
    )
    if township:
        return township
    parent = Organization.objects.filter(pk=to_org.parent_id).values_list("name", flat=True)
    return parent.first() or ""


def mobile_list(*, user, current_only: bool = True) -> QuerySet[MobileRecord]:
    """Mobile members seen from the origin or the destination (流动党员双向管理)."""
    qs = MobileRecord.objects.visible_to(user)
    if current_only:
        qs = qs.filter(returned_on__isnull=True)
    return qs.select_related("member", "origin_org", "destination_org").order_by("-left_on")


def mobile_get(*, user, pk) -> MobileRecord:
    return MobileRecord.objects.select_related(
        "member", "origin_org", "destination_org"
    ).get_visible_or_404(user, pk=pk)


def case_list(*, user, kind: str | None = None, open_only: bool = True) -> QuerySet[MemberCase]:
    """Lost-contact and inactive members, listed until their case is closed."""
    qs = MemberCase.objects.visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if open_only:
        qs = qs.filter(is_open=True)
    return qs.select_related("member", "member__organization").order_by("-is_open", "-opened_on")


def case_get(*, user, pk) -> MemberCase:
    return MemberCase.objects.select_related("member", "member__organization").get_visible_or_404(
        user, pk=pk
    )


def member_overview(*, user) -> dict[str, int]:
    """The figures a county asks for, derived from the registry (党员队伍概况)."""
    # The kept figures of the organizations in scope (orgs.figures), not a count of members.
    counts = Organization.objects.visible_to(user).aggregate(
        total=Coalesce(Sum("figures__members"), 0), full=Coalesce(Sum("figures__full_members"), 0)
    )
    cases = dict(case_list(user=user).values_list("kind").annotate(n=Count("id")).order_by())
    return {
        "total": counts["total"],
        "full": counts["full"],
        "probationary": counts["total"] - counts["full"],
        "mobile": mobile_list(user=user).filter(member__in=member_scoped(user=user)).count(),
        "lost_contact": cases.get(CaseKind.LOST_CONTACT, 0),
        "inactive": cases.get(CaseKind.INACTIVE, 0),
        "incoming_transfers": transfer_list(user=user).count(),
    }


# ---------------------------------------------------------------------------------------------
# Counts for the home page (首页待办与图表): grouped queries, never a loop over the scope.


def transfers_to_receive(*, user) -> dict:
    """Transfers waiting for the user's side to receive them (待接收的组织关系转接):
    {"count", "oldest"} with the date the oldest was sent."""
    row = transfer_list(user=user).aggregate(count=Count("pk"), oldest=Min("requested_at"))
    return {"count": row["count"], "oldest": row["oldest"]}


# Education (ZB64) gathered into the bands a chart shows, by the code's first digits.
EDUCATION_BANDS = [
    ("研究生", ("1",)),
    ("大学本科", ("2",)),
    ("大学专科", ("31", "32", "33", "34")),
    ("中专、中技", ("35", "36")),
    ("高中", ("37",)),
    ("初中及以下", ("38", "39")),
]


def member_structure(*, user, today=None) -> dict:
    """The members in scope by age band, education and gender (党员队伍结构): one pass over
    the scope's members, each band a filtered count, whatever the size of the scope."""
    today = today or timezone.localdate()
    counts = {
        f"a{i}": Count("pk", filter=age_band_q(band, today=today))
        for i, band in enumerate(AGE_BANDS)
    }
    for i, (_, prefixes) in enumerate(EDUCATION_BANDS):
        starts = Q()
        for prefix in prefixes:
            starts |= Q(education__startswith=prefix)
        counts[f"e{i}"] = Count("pk", filter=starts)
    row = member_scoped(user=user).aggregate(
        total=Count("pk"),
        male=Count("pk", filter=Q(gender="1")),
        female=Count("pk", filter=Q(gender="2")),
        **counts,
    )
    education = [(label, row[f"e{i}"]) for i, (label, _) in enumerate(EDUCATION_BANDS)]
    education.append(("未填写", row["total"] - sum(n for _, n in education)))
    return {
        "age": [(band.label, row[f"a{i}"]) for i, band in enumerate(AGE_BANDS)],
        "education": [(label, n) for label, n in education if n],
        "gender": [("男", row["male"]), ("女", row["female"])],
    }
