"""Reads of the member registry, always through the user's scope."""

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.models import AuditLog
from zuzhi.core.scope import ancestor_paths, scope_queryset, subtree_q
from zuzhi.core.text import initials_q
from zuzhi.orgs.models import Organization, UnitCategory

from .models import (
    CaseKind,
    Member,
    MemberCase,
    MemberStatus,
    MemberTransfer,
    MobileRecord,
    TransferStatus,
)
from .services.rules import add_years


def member_scoped(*, user) -> QuerySet[Member]:
    return Member.objects.visible_to(user)


def member_list(
    *,
    user,
    q: str | None = None,
    within=None,
    status: str | None = None,
    category: str | None = None,
) -> QuerySet[Member]:
    """Members the user may see. `q` matches a name, pinyin initials in any reading of the
    surname (曾国华 by zgh as well as cgh), or a whole ID number (found without being shown:
    lists mask it)."""
    qs = member_scoped(user=user).select_related("organization")
    if within is not None:
        qs = qs.filter(subtree_q(within.path, "organization__path"))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        q = q.strip()
        number = idnumber.normalize(q)
        if idnumber.SHAPE.match(number):
            qs = qs.filter(id_number=number)
        else:
            qs = qs.filter(Q(name__contains=q) | initials_q("name_initials", q))
    return qs.order_by("organization__path", "name", "pk")


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
    members = member_scoped(user=user)
    counts = dict(members.values_list("status").annotate(n=Count("id")).order_by())
    cases = dict(case_list(user=user).values_list("kind").annotate(n=Count("id")).order_by())
    return {
        "total": sum(counts.values()),
        "full": counts.get(MemberStatus.FULL, 0),
        "probationary": counts.get(MemberStatus.PROBATIONARY, 0),
        "mobile": mobile_list(user=user).filter(member__in=members).count(),
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


# Age bands of the Party's annual statistics (党内统计年报), youngest first: (label, oldest age).
AGE_BANDS = [
    ("30岁及以下", 30),
    ("31-35岁", 35),
    ("36-45岁", 45),
    ("46-55岁", 55),
    ("56-60岁", 60),
    ("61岁及以上", None),
]
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
    """The members in scope by age band, education and gender (党员队伍结构): three grouped
    queries whatever the size of the scope."""
    today = today or timezone.localdate()
    members = member_scoped(user=user)
    age_counts, born_after = {}, None
    for i, (_label, oldest) in enumerate(AGE_BANDS):
        # Aged at most `oldest` today: born after this day `oldest + 1` years ago.
        limit = add_years(today, -(oldest + 1)) if oldest is not None else None
        q = Q()
        if limit is not None:
            q &= Q(birth_date__gt=limit)
        if born_after is not None:
            q &= Q(birth_date__lte=born_after)
        age_counts[f"a{i}"] = Count("pk", filter=q)
        born_after = limit
    ages = members.aggregate(**age_counts)
    by_code = dict(members.values_list("education").annotate(n=Count("pk")).order_by())
    education = []
    for label, prefixes in EDUCATION_BANDS:
        n = sum(v for code, v in by_code.items() if code and code.startswith(prefixes))
        education.append((label, n))
    known = sum(n for _, n in education)
    education.append(("未填写", sum(by_code.values()) - known))
    genders = dict(members.values_list("gender").annotate(n=Count("pk")).order_by())
    return {
        "age": [(label, ages[f"a{i}"]) for i, (label, _) in enumerate(AGE_BANDS)],
        "education": [(label, n) for label, n in education if n],
        "gender": [("男", genders.get("1", 0)), ("女", genders.get("2", 0))],
    }
