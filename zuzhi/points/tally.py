"""Keeping each member's yearly points (年度积分) for the branch summaries.

The services that change what points are computed from (meetings and who attended or was
absent, published appraisals, manual entries) call `points_refresh` inside their
transaction with the members and years they touched; a change of the rules recomputes every
kept year in the worker (`points_refresh_all`)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import BooleanField, Case, Value, When

from zuzhi.members.models import Member

from .models import MemberYearPoints
from .selectors import annotated_points, points_rules, veto_q

CHUNK = 2000


def points_refresh(*, member_ids: Iterable[int], years: Iterable[int]) -> None:
    """Recompute these members' kept points for these years. Their rows are locked first,
    in key order, so two refreshes of one member do not leave the earlier count behind."""
    ids = sorted(set(member_ids))
    years = sorted(set(years))
    if not ids or not years:
        return
    with transaction.atomic():
        MemberYearPoints.objects.bulk_create(
            [MemberYearPoints(member_id=m, year=y, total=0) for m in ids for y in years],
            ignore_conflicts=True,
        )
        list(
            MemberYearPoints.objects.select_for_update()
            .filter(member_id__in=ids, year__in=years)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The rules are read under the lock: a refresh that waited sees a rule changed meanwhile.
        rules = points_rules()
        for year in years:
            rows = (
                annotated_points(Member.objects.filter(pk__in=ids), rules, year)
                .annotate(
                    points_vetoed=Case(
                        When(veto_q(rules), then=Value(True)),
                        default=Value(False),
                        output_field=BooleanField(),
                    )
                )
                .order_by()
                .values_list("pk", "points_total", "points_vetoed")
            )
            MemberYearPoints.objects.bulk_create(
                [MemberYearPoints(member_id=m, year=year, total=t, vetoed=v) for m, t, v in rows],
                update_conflicts=True,
                unique_fields=["member", "year"],
                update_fields=["total", "vetoed"],
            )


def points_refresh_all(*, years: Iterable[int] | None = None) -> int:
    """Recompute the kept points of every member for `years` (default: every year kept), a
    chunk of members at a time; returns the members done."""
    if years is None:
        years = MemberYearPoints.objects.order_by().values_list("year", flat=True).distinct()
    years = sorted(set(years))
    done = last = 0
    while ids := list(
        Member.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    ):
        points_refresh(member_ids=ids, years=years)
        done += len(ids)
        last = ids[-1]
    return done
