"""The member points list's filters read from its query string, and its Excel export
(党员积分): one reading for the page, the export at once and the export job in the worker."""

from django.utils import timezone

from zuzhi.core.export_jobs import Export
from zuzhi.core.paging import MappedQuerySet
from zuzhi.orgs.selectors import org_param

from . import selectors


def points_year(params) -> int:
    """The year asked for, this year when absent or not a number."""
    try:
        return int(params.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def member_points_filtered(*, user, params) -> tuple[MappedQuerySet, int, object]:
    """The points rows the list shows for its query string, the year and the organization
    it is within (one out of the user's scope is not found)."""
    year = points_year(params)
    within = org_param(user=user, value=params.get("org"))
    rows = selectors.member_points(user=user, year=year, within=within, q=params.get("q") or None)
    return rows, year, within


def points_export(*, actor, params, where: str) -> Export:
    """A year's points per member as Excel, each with its lines and any one-vote veto."""
    points, year, _ = member_points_filtered(user=actor, params=params)
    rows = (
        [
            r.member.name,
            r.member.organization.name,
            r.total,
            "；".join(f"{n} {p:+d}" for n, p in r.lines),
            r.vetoed_by,
        ]
        for r in points
    )
    return Export(
        headers=["姓名", "党组织", "积分", "明细", "一票否决"],
        rows=rows,
        count=points.count,
        filename=f"{year}年党员积分",
        target_type="points.pointentry",
    )
