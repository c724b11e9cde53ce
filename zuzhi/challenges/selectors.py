"""Reads of open challenges: the office's (its county's, every state), and the public page's
(published and later; never a draft, never an applicant's contact or proposal)."""

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from zuzhi.talent.scoping import require_talent_office

from .models import (
    PUBLIC_STATES,
    Challenge,
    ChallengeApplication,
    ChallengeMilestone,
    ChallengePayment,
    ChallengeReviewer,
)


def _with_paid(qs: QuerySet) -> QuerySet:
    paid = (
        ChallengePayment.objects.filter(challenge=OuterRef("pk"))
        .values("challenge")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return qs.annotate(paid_fen=Coalesce(Subquery(paid), Value(0)))


def challenge_list(*, user, state: str = "", query: str = "") -> QuerySet:
    """The challenges of the user's talent office; anyone else gets the logged 404."""
    require_talent_office(user)
    qs = Challenge.objects.visible_to(user).select_related("county", "winner")
    if state:
        qs = qs.filter(state=state)
    if query:
        qs = qs.filter(
            Q(title__icontains=query) | Q(owner_company__icontains=query) | Q(industry=query)
        )
    return _with_paid(qs.annotate(application_count=Count("applications"))).order_by(
        "-created_at", "-id"
    )


def challenge_get(*, user, pk) -> Challenge:
    return _with_paid(Challenge.objects.select_related("county", "winner")).get_visible_or_404(
        user, pk=pk
    )


def application_list(*, challenge: Challenge) -> QuerySet:
    """A challenge's applications with the experts' average (computed by the database) and
    the number of scores, best first."""
    return (
        challenge.applications.annotate(
            average_score=Avg("scores__score"), score_count=Count("scores")
        )
        .prefetch_related("members", "files", "scores__reviewer")
        .order_by("-average_score", "submitted_on", "id")
    )


def application_get(*, user, pk) -> ChallengeApplication:
    return ChallengeApplication.objects.select_related("challenge__county").get_visible_or_404(
        user, pk=pk
    )


def reviewer_get(*, user, pk) -> ChallengeReviewer:
    return ChallengeReviewer.objects.select_related("challenge__county").get_visible_or_404(
        user, pk=pk
    )


def milestone_get(*, user, pk) -> ChallengeMilestone:
    return ChallengeMilestone.objects.select_related("challenge__county").get_visible_or_404(
        user, pk=pk
    )


# --- public: no login -------------------------------------------------------------------------
def public_challenges() -> QuerySet:
    return (
        Challenge.objects.filter(state__in=PUBLIC_STATES)
        .select_related("county")
        .only(
            "id",
            "title",
            "problem",
            "owner_company",
            "industry",
            "reward_fen",
            "deadline",
            "state",
            "published_on",
            "county__name",
        )
        .order_by("-published_on", "-id")
    )


def public_challenge_get(*, pk) -> Challenge:
    challenge = public_challenges().filter(pk=pk).first()
    if challenge is None:
        raise Http404("没有这个榜单。")
    return challenge
