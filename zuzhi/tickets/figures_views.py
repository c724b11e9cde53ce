"""The household service's figures page (联户服务数据, /households/figures/) and its Excel
export: charts and tables for staff, and a member's own panel (我的服务). Thin adapters over
`tickets.figures`."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from zuzhi.core.export import xlsx_response

from . import figures
from .models import Rating, TicketState

HEADERS = [
    "维度",
    "名称",
    "联系户",
    "已联系户",
    "覆盖率（%）",
    *TicketState.labels,
    "诉求合计",
    "办结用时中位数（小时）",
    *Rating.labels,
    "满意率（%）",
]


def _row(title: str, group: figures.GroupFigures) -> list:
    return [
        title,
        group.name,
        group.households,
        group.linked,
        group.coverage,
        *group.state_list(),
        group.total,
        group.median_hours,
        *group.rating_list(),
        group.satisfied_share,
    ]


def _staff(user):
    try:
        return figures.staff_figures(user=user)
    except Http404:
        return None


@login_required
@require_safe
def figures_view(request):
    """Figures of the user's scope, or only their own (我的服务) for a member."""
    data = _staff(request.user)
    mine = figures.my_figures(user=request.user)
    if data is None and mine is None:
        raise Http404("未找到该页面。")
    chart = None
    if data is not None:
        chart = {
            "states": list(TicketState.labels),
            "ratings": list(Rating.labels),
            "types": [[g.name, g.state_list()] for g in data.by["type"]],
            "overall_ratings": data.overall.rating_list(),
            "communities": [
                [g.name, g.households or 0, g.linked or 0] for g in data.by["community"]
            ],
        }
    return render(
        request,
        "tickets/figures.html",
        {
            "data": data,
            "mine": mine,
            "chart": chart,
            "tables": [(d, data.by[d.key]) for d in data.dimensions] if data else [],
            "state_labels": TicketState.labels,
            "rating_labels": Rating.labels,
        },
    )


@login_required
@require_safe
def figures_export_view(request):
    """The figures as an Excel sheet: every dimension's rows, then the total."""
    data = _staff(request.user)
    if data is None:
        raise Http404("未找到该页面。")
    rows = [_row(d.title, g) for d in data.dimensions for g in data.by[d.key]]
    rows.append(_row("合计", data.overall))
    return xlsx_response(
        actor=request.user,
        filename="联户服务数据",
        headers=HEADERS,
        rows=rows,
        target_type="tickets.ticket",
    )
