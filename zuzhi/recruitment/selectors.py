from django.db.models import Count, QuerySet

from .models import Candidate, Stage


def candidate_list(*, user, stage: str | None = None) -> QuerySet[Candidate]:
    """Who is at which step of recruitment (发展党员进度)."""
    qs = Candidate.objects.visible_to(user).exclude(stage=Stage.WITHDRAWN)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.select_related("organization").order_by("stage", "applied_on", "pk")


def candidate_get(*, user, pk) -> Candidate:
    return Candidate.objects.select_related("organization", "member").get_visible_or_404(
        user, pk=pk
    )


def candidate_stage_counts(*, user) -> list[tuple[str, str, int]]:
    """(stage, label, count) for the pipeline, in order."""
    counts = dict(candidate_list(user=user).values_list("stage").annotate(n=Count("id")).order_by())
    return [
        (s, Stage(s).label, counts.get(s, 0))
        for s in Stage.values
        if s not in (Stage.WITHDRAWN, Stage.FULL)
    ]
