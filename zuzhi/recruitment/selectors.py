from django.db.models import Count, QuerySet

from zuzhi.core.scope import get_in_scope_or_404, scope_queryset

from .models import Candidate, Stage


def candidate_list(*, user, stage: str | None = None) -> QuerySet[Candidate]:
    """Who is at which step of recruitment (发展党员进度)."""
    qs = scope_queryset(user, Candidate.objects.all(), path_field="organization__path").exclude(
        stage=Stage.WITHDRAWN
    )
    if stage:
        qs = qs.filter(stage=stage)
    return qs.select_related("organization").order_by("stage", "applied_on", "pk")


def candidate_get(*, user, pk) -> Candidate:
    return get_in_scope_or_404(
        user,
        Candidate.objects.select_related("organization", "member"),
        path_field="organization__path",
        pk=pk,
    )


def candidate_stage_counts(*, user) -> list[tuple[str, str, int]]:
    """(stage, label, count) for the pipeline, in order."""
    counts = dict(candidate_list(user=user).values_list("stage").annotate(n=Count("id")).order_by())
    return [
        (s, Stage(s).label, counts.get(s, 0))
        for s in Stage.values
        if s not in (Stage.WITHDRAWN, Stage.FULL)
    ]
