from django.db.models import QuerySet
from django.http import Http404

from .models import AppraisalRound


def appraisal_list(*, user) -> QuerySet[AppraisalRound]:
    qs = AppraisalRound.objects.visible_to(user)
    return qs.select_related("organization").order_by("-year", "organization__path")


def appraisal_get(*, user, pk) -> AppraisalRound:
    return AppraisalRound.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def ballot_round_get(*, token: str) -> AppraisalRound:
    """The round behind a ballot page's address (no login: the token is the address)."""
    round_ = (
        AppraisalRound.objects.filter(ballot_token=token).select_related("organization").first()
    )
    if round_ is None:
        raise Http404("未找到该评议。")
    return round_
