"""Keeping each organization's own figures (组织概况: members, full members, last meeting).

The services that add, move or change members and meetings call `org_figures_refresh` with
the organizations they touched, inside their transaction; `refresh-org-figures` recomputes
every organization (after a bulk load, or to repair)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from zuzhi.core.scope import subtree_q

from .models import Organization, OrgFigures

# Organizations recomputed per statement by the full refresh.
CHUNK = 2000


def org_figures_refresh(*, organization_ids: Iterable[int]) -> None:
    """Recompute the figures of these organizations from the registry. The figures rows are
    locked first, in key order: a concurrent refresh of the same organization waits, then
    counts what the first one committed, so the last writer is never one member behind."""
    ids = sorted({i for i in organization_ids if i is not None})
    if not ids:
        return
    with transaction.atomic():
        OrgFigures.objects.bulk_create(
            [OrgFigures(organization_id=i) for i in ids], ignore_conflicts=True
        )
        list(
            OrgFigures.objects.select_for_update()
            .filter(organization_id__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _recompute(ids)


def subtree_members(*, user, org: Organization) -> int:
    """The members of `org`'s subtree in the user's scope, from the kept figures: one indexed
    sum over its organizations, however many members they hold (the size of a report)."""
    return (
        Organization.objects.visible_to(user)
        .filter(subtree_q(org.path))
        .aggregate(n=Sum("figures__members", default=0))["n"]
    )


def org_figures_refresh_all() -> int:
    """Recompute every organization's figures, a chunk at a time; returns how many."""
    done = 0
    last = 0
    while True:
        ids = list(
            Organization.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return done
        org_figures_refresh(organization_ids=ids)
        done += len(ids)
        last = ids[-1]


def _recompute(ids: list[int]) -> None:
    # The registries import orgs, so their models are reached through the reverse relations.
    member = Organization._meta.get_field("members").related_model
    meeting = Organization._meta.get_field("meetings").related_model
    counts = {
        row["organization_id"]: row
        for row in member.objects.filter(organization_id__in=ids)
        .order_by()
        .values("organization_id")
        .annotate(n=Count("pk"), full=Count("pk", filter=Q(status="full")))
    }
    last_meetings = dict(
        meeting.objects.filter(organization_id__in=ids)
        .order_by()
        .values("organization_id")
        .annotate(last=Max("date"))
        .values_list("organization_id", "last")
    )
    OrgFigures.objects.bulk_create(
        [
            OrgFigures(
                organization_id=i,
                members=counts.get(i, {}).get("n", 0),
                full_members=counts.get(i, {}).get("full", 0),
                last_meeting_on=last_meetings.get(i),
            )
            for i in ids
        ],
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=["members", "full_members", "last_meeting_on", "refreshed_at"],
    )
