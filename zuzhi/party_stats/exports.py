"""党内统计 as a report (settings.ZUZHI_REPORTS): the subtree and year read from the query
string, the tables rendered for the page and written as the workbook, by one code for the
request and for the worker (over ZUZHI_EXPORT_INLINE_MAX members)."""

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from zuzhi.core.export_jobs import Report
from zuzhi.core.params import text_param
from zuzhi.orgs.figures import subtree_members
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_param

from . import selectors
from .report import stats_xlsx

KIND = "party_stats"


def stats_params_read(*, user, params) -> tuple[Organization, int]:
    """The subtree (`org`, default the user's root) and the year (`year`, this year when
    absent or not a year from 1900 to this year)."""
    this_year = timezone.localdate().year
    raw = text_param(params, "year")
    year = int(raw) if raw.isascii() and raw.isdigit() else this_year
    year = year if 1900 <= year <= this_year else this_year
    root = selectors.stats_root(user=user, org=org_param(user=user, value=params.get("org")))
    return root, year


def stats_query(*, root: Organization, year: int) -> QueryDict:
    """The statistics' parameters as the page links them and a report job keeps them."""
    query = QueryDict(mutable=True)
    query["org"], query["year"] = str(root.pk), str(year)
    return query


def stats_filename(*, root: Organization, year: int) -> str:
    return f"党内统计-{root.name}-{year}年"


def stats_figures_html(*, stats: selectors.PartyStats) -> str:
    """The tables as the page shows them (party_stats/_tables.html)."""
    return render_to_string(
        "party_stats/_tables.html",
        {
            "stats": stats,
            "blocking": [(problem, n) for problem, n in stats.checks if n],
            "query": stats_query(root=stats.organization, year=stats.year).urlencode(),
        },
    )


def stats_report(*, actor, params, where: str) -> Report:
    root, year = stats_params_read(user=actor, params=params)
    selectors.stats_as_of(year=year)

    def build() -> tuple[bytes, str]:
        stats = selectors.party_stats(user=actor, org=root, year=year)
        return stats_xlsx(stats), stats_figures_html(stats=stats)

    return Report(
        count=lambda: subtree_members(user=actor, org=root),
        build=build,
        filename=stats_filename(root=root, year=year),
        extension="xlsx",
        target_type="members.member",
        org_path=root.path,
    )
