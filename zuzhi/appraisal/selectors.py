from django.db.models import QuerySet

from zuzhi.core.scope import get_in_scope_or_404, scope_queryset

from .models import AppraisalRound


def appraisal_list(*, user) -> QuerySet[AppraisalRound]:
    qs = scope_queryset(user, AppraisalRound.objects.all(), path_field="organization__path")
    return qs.select_related("organization").order_by("-year", "organization__path")


def appraisal_get(*, user, pk) -> AppraisalRound:
    return get_in_scope_or_404(
        user,
        AppraisalRound.objects.select_related("organization"),
        path_field="organization__path",
        pk=pk,
    )
