from django.db.models import QuerySet

from .models import AppraisalRound


def appraisal_list(*, user) -> QuerySet[AppraisalRound]:
    qs = AppraisalRound.objects.visible_to(user)
    return qs.select_related("organization").order_by("-year", "organization__path")


def appraisal_get(*, user, pk) -> AppraisalRound:
    return AppraisalRound.objects.select_related("organization").get_visible_or_404(user, pk=pk)
