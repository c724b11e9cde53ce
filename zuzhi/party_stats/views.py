"""党内统计 pages: the tables for a subtree and a year, their Excel, and the check."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from zuzhi.core.export import xlsx_document_response
from zuzhi.core.params import text_param
from zuzhi.orgs.picker import filter_picker
from zuzhi.orgs.selectors import org_param

from . import selectors
from .report import stats_xlsx


def _params(request) -> tuple:
    """The subtree (`org`, default the user's root) and the year (`year`, this year when
    absent or not a year from 1900 to this year)."""
    this_year = timezone.localdate().year
    raw = text_param(request.GET, "year")
    year = int(raw) if raw.isascii() and raw.isdigit() else this_year
    year = year if 1900 <= year <= this_year else this_year
    root = selectors.stats_root(
        user=request.user, org=org_param(user=request.user, value=request.GET.get("org"))
    )
    return root, year


def _context(request, root, year) -> dict:
    return {
        "root": root,
        "year": year,
        "this_year": timezone.localdate().year,
        "org_picker": filter_picker(user=request.user, chosen=root),
        "query": f"org={root.pk}&year={year}",
    }


@login_required
def stats_view(request):
    root, year = _params(request)
    stats = selectors.party_stats(user=request.user, org=root, year=year)
    return render(
        request,
        "party_stats/index.html",
        {
            **_context(request, root, year),
            "stats": stats,
            "blocking": [(problem, n) for problem, n in stats.checks if n],
        },
    )


@login_required
def stats_xlsx_view(request):
    root, year = _params(request)
    stats = selectors.party_stats(user=request.user, org=root, year=year)
    return xlsx_document_response(
        actor=request.user,
        filename=f"党内统计-{root.name}-{year}年",
        content=stats_xlsx(stats),
        target_type="members.member",
        message=f"导出党内统计（{root.name}，统计截止 {stats.as_of:%Y-%m-%d}）",
        org_path=root.path,
    )


@login_required
def check_view(request):
    """数据核查: the members a figure cannot count, by problem, each linked to their page."""
    root, year = _params(request)
    as_of = selectors.stats_as_of(year=year)
    members = selectors.stats_members(user=request.user, org=root, as_of=as_of)
    problem = text_param(request.GET, "problem")
    problem = problem if problem in selectors.PROBLEM_KEYS else ""
    listed = selectors.problem_members(members, problem=problem or None)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    for member in page:
        member.problems = [
            p.label for p in selectors.PROBLEMS if getattr(member, f"missing_{p.key}")
        ]
    return render(
        request,
        "party_stats/check.html",
        {
            **_context(request, root, year),
            "as_of": as_of,
            "checks": selectors.problem_counts(members),
            "problem": problem,
            "page": page,
        },
    )
