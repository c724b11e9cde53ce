"""党内统计 pages: the tables for a subtree and a year, their Excel, and the check. Over
ZUZHI_EXPORT_INLINE_MAX members the tables and the Excel are computed by the worker (a report
job, party_stats.exports) and the page shows the last figures it kept."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.export import xlsx_document_response
from zuzhi.core.export_jobs import report_in_worker, report_is_large, report_state
from zuzhi.core.params import text_param
from zuzhi.orgs.figures import subtree_members
from zuzhi.orgs.picker import filter_picker

from . import selectors
from .exports import KIND, stats_filename, stats_params_read, stats_query
from .report import stats_xlsx


def _context(request, root, year) -> dict:
    return {
        "root": root,
        "year": year,
        "this_year": timezone.localdate().year,
        "org_picker": filter_picker(user=request.user, chosen=root),
        "query": stats_query(root=root, year=year).urlencode(),
    }


@login_required
def stats_view(request):
    root, year = stats_params_read(user=request.user, params=request.GET)
    context = _context(request, root, year)
    members = subtree_members(user=request.user, org=root)
    if report_is_large(members=members):
        report = report_state(
            user=request.user,
            kind=KIND,
            params=stats_query(root=root, year=year),
            members=members,
            start_url=f"{reverse('party_stats:xlsx')}?{context['query']}",
        )
        return render(request, "party_stats/index.html", {**context, "report": report})
    stats = selectors.party_stats(user=request.user, org=root, year=year)
    return render(
        request,
        "party_stats/index.html",
        {
            **context,
            "stats": stats,
            "blocking": [(problem, n) for problem, n in stats.checks if n],
        },
    )


@login_required
def stats_xlsx_view(request):
    root, year = stats_params_read(user=request.user, params=request.GET)
    if queued := report_in_worker(
        request,
        kind=KIND,
        members=subtree_members(user=request.user, org=root),
        params=stats_query(root=root, year=year),
        where=reverse("party_stats:index"),
    ):
        return queued
    stats = selectors.party_stats(user=request.user, org=root, year=year)
    return xlsx_document_response(
        actor=request.user,
        filename=stats_filename(root=root, year=year),
        content=stats_xlsx(stats),
        target_type="members.member",
        message=f"导出党内统计（{root.name}，统计截止 {stats.as_of:%Y-%m-%d}）",
        org_path=root.path,
    )


@login_required
def check_view(request):
    """数据核查: the members a figure cannot count, by problem, each linked to their page."""
    root, year = stats_params_read(user=request.user, params=request.GET)
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
