"""Reads of reserve use (后备力量的“用”), each from the reserve scope (reserves.scoping):
assignments, reserves still to be won for the Party, elections, the village committee roster,
and the county's count of reserves who became village cadres. Every list is filtered in the
database (Exists subqueries comparing the blind indexes of encrypted ID numbers, one index
for members, candidates and reserves alike), never looped over in Python."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr

from zuzhi.core.scope import subtree_q
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.recruitment.models import Candidate, Stage
from zuzhi.reserves import selectors as reserve_selectors
from zuzhi.reserves.models import ReserveCandidate, ReserveStatus

from .models import (
    ElectedReserve,
    ReserveAssignment,
    VillageCommitteeMember,
    VillageCommitteePosition,
    VillageElection,
)


def open_reserve_exists() -> Exists:
    """Whether the person named by the outer row's ID number is a reserve in the pool (入库,
    past the township's and the county's review): the recruitment pipeline puts them first
    (优先发展). One person has one open entry, found by the blind index of the ID number
    (the same for a number in every register, so the outer row may be a member's or a
    recruitment candidate's)."""
    return Exists(
        ReserveCandidate.objects.filter(
            id_number=OuterRef("id_number"), status=ReserveStatus.IN_POOL
        )
    )


def _place(qs: QuerySet, *, village, township, field: str) -> QuerySet:
    if village is not None:
        qs = qs.filter(**{field: village})
    if township is not None:
        qs = qs.filter(subtree_q(township.path, f"{field}__path"))
    return qs


# --- assignments (压担子) ---------------------------------------------------------------------
def assignment_list(
    *,
    user,
    village: Organization | None = None,
    township: Organization | None = None,
    kind: str = "",
    rating: str = "",
    open_only: bool = False,
    q: str = "",
) -> QuerySet[ReserveAssignment]:
    qs = ReserveAssignment.objects.visible_to(user).select_related("candidate__village")
    qs = _place(qs, village=village, township=township, field="candidate__village")
    if kind:
        qs = qs.filter(kind=kind)
    if rating:
        qs = qs.filter(rating=rating)
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    if q:
        people = reserve_selectors.candidate_list(user=user, q=q)
        qs = qs.filter(Q(candidate__in=people) | Q(title__contains=q))
    return qs.order_by("-started_on", "candidate__village__path", "id")


def assignment_get(*, user, pk: int) -> ReserveAssignment:
    return ReserveAssignment.objects.select_related("candidate__village").get_visible_or_404(
        user, pk=pk
    )


def assignable_reserves(*, user) -> QuerySet[ReserveCandidate]:
    """The reserves a task can be given to: those in the pool."""
    return reserve_selectors.candidates_visible(user=user).filter(status=ReserveStatus.IN_POOL)


# --- recruitment priority (优先发展) ------------------------------------------------------------
def reserves_not_applied(
    *,
    user,
    village: Organization | None = None,
    township: Organization | None = None,
    q: str = "",
) -> QuerySet[ReserveCandidate]:
    """Reserves in the pool who are not Party members and have not applied (尚未递交入党申请的
    后备力量): whom the township should encourage to apply. A withdrawn application counts as
    not applied (the person may apply again); `withdrew` says so."""
    in_pipeline = Candidate.objects.filter(id_number=OuterRef("id_number"))
    return (
        reserve_selectors.candidate_list(
            user=user, village=village, township=township, status=ReserveStatus.IN_POOL, q=q
        )
        .filter(member__isnull=True)
        # The member link is made at nomination; someone admitted since is found by number.
        .exclude(Exists(Member.objects.filter(id_number=OuterRef("id_number"))))
        .exclude(Exists(in_pipeline.exclude(stage=Stage.WITHDRAWN)))
        .annotate(withdrew=Exists(in_pipeline.filter(stage=Stage.WITHDRAWN)))
    )


# --- elections and the village committee (换届选举、村民委员会) --------------------------------
def election_list(
    *, user, village: Organization | None = None, township: Organization | None = None
) -> QuerySet[VillageElection]:
    qs = (
        VillageElection.objects.visible_to(user)
        .select_related("village")
        .annotate(elected_count=Count("elected", distinct=True))
    )
    return _place(qs, village=village, township=township, field="village").order_by(
        "-held_on", "-id"
    )


def election_get(*, user, pk: int) -> VillageElection:
    return VillageElection.objects.select_related("village").get_visible_or_404(user, pk=pk)


def election_results(*, election: VillageElection) -> QuerySet[ElectedReserve]:
    return election.elected.select_related("candidate", "committee_seat__organization").order_by(
        "body", "id"
    )


def election_reserves(*, user, village: Organization) -> QuerySet[ReserveCandidate]:
    """The village's reserves in the pool: who may be elected as a reserve."""
    return assignable_reserves(user=user).filter(village=village).select_related("member")


def _position_order():
    """主任, 副主任, 委员: the order of the choices, not of their codes."""
    values = VillageCommitteePosition.values
    return Case(
        *[When(position=v, then=Value(i)) for i, v in enumerate(values)],
        output_field=IntegerField(),
    )


def village_committee(*, user, village: Organization) -> QuerySet[VillageCommitteeMember]:
    """The village committee roster (村民委员会成员), current terms first."""
    return (
        VillageCommitteeMember.objects.visible_to(user)
        .filter(village=village)
        .select_related("from_reserve")
        .order_by(F("ended_on").desc(nulls_first=True), _position_order(), "started_on", "id")
    )


# --- the county's count (后备力量进入村“两委”情况) ----------------------------------------------
def appointed_by_township(*, user) -> list[dict]:
    """Per township: reserves who became village cadres (APPOINTED) and reserves in the pool,
    counted in one grouped query per depth of township (one in a county): the township is
    the leading path segments of the village's path."""
    townships = list(reserve_selectors.townships(user=user))
    counts: dict[str, dict] = {}
    for length in sorted({len(t.path) for t in townships}):
        rows = (
            ReserveCandidate.objects.visible_to(user)
            .annotate(township_path=Substr("village__path", 1, length))
            .values("township_path")
            .annotate(
                appointed=Count("id", filter=Q(status=ReserveStatus.APPOINTED)),
                in_pool=Count("id", filter=Q(status=ReserveStatus.IN_POOL)),
            )
            .order_by()
        )
        counts.update({r["township_path"]: r for r in rows})
    table = [
        {
            "township": t,
            "appointed": counts.get(t.path, {}).get("appointed", 0),
            "in_pool": counts.get(t.path, {}).get("in_pool", 0),
        }
        for t in townships
    ]
    return table
