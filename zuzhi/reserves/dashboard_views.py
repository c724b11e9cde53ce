"""The reserve pool dashboard (后备力量库): by township for the county, by village for one
township, against the targets; tables first (charts are extra), each with an Excel export.
Thin over reserves.targets."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from zuzhi.core.export import xlsx_response

from . import targets
from .scoping import require_reserve_manager


def _met(value: bool | None) -> str:
    return {True: "达标", False: "未达标", None: "—"}[value]


def _chart(rows: list[targets.PoolFigures], total: targets.PoolFigures) -> dict:
    return {
        "areas": [[r.org.short_name or r.org.name, r.pool, r.villages_under] for r in rows],
        "sources": [[label, n] for label, n in total.source_counts if n],
    }


# A province has 2,000 townships: the table and its chart show them this many at a time.
POOL_PAGE = 50


@login_required
def pool_overview_view(request):
    """By township (county staff: every township; township staff: their own)."""
    require_reserve_manager(request.user)
    rows = targets.township_pool_rows(user=request.user, today=timezone.localdate())
    total = targets.pool_total(rows=rows)
    page = Paginator(rows, POOL_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reserves/dashboard.html",
        {
            "rows": page,
            "page": page,
            "total": total,
            "targets": targets.reserve_targets(),
            "appointed_counted": targets.APPOINTED is not None,
            "chart": _chart(page.object_list, total),
        },
    )


@login_required
def pool_township_view(request, township_id):
    township = targets.pool_township_get(user=request.user, pk=township_id)
    rows = targets.village_pool_rows(
        user=request.user, township=township, today=timezone.localdate()
    )
    total = targets.pool_total(rows=rows, org=township)
    return render(
        request,
        "reserves/dashboard_township.html",
        {
            "township": township,
            "rows": rows,
            "under": [r for r in rows if not r.count_met],
            "total": total,
            "targets": targets.reserve_targets(),
            "appointed_counted": targets.APPOINTED is not None,
            "chart": _chart([], total),
        },
    )


def _headers(first: str, *, villages: bool) -> list[str]:
    t = targets.reserve_targets()
    return [
        first,
        *(["村（社区）数", f"不足{t.per_village}名的村（社区）数"] if villages else []),
        "入库人数",
        *([] if villages else [f"达到每村{t.per_village}名"]),
        *(["已进入村“两委”"] if targets.APPOINTED else []),
        "平均年龄",
        f"平均年龄不超过{t.max_average_age}岁",
        "大专及以上人数",
        "大专及以上占比（%）",
        f"大专及以上占比不低于{t.min_college_percent}%",
        *(label for _, label in targets.ReserveSource.choices),
    ]


def _number(value) -> float | None:
    """A shown figure as a spreadsheet number (an empty cell for an empty pool)."""
    return None if value is None else float(value)


def _row(name: str, r: targets.PoolFigures, *, villages: bool) -> list:
    return [
        name,
        *([r.villages, r.villages_under] if villages else []),
        r.pool,
        *([] if villages else [_met(r.count_met)]),
        *([r.appointed] if targets.APPOINTED else []),
        _number(r.average_age_shown),
        _met(r.age_met),
        r.college,
        _number(r.college_percent_shown),
        _met(r.college_met),
        *(n for _, n in r.source_counts),
    ]


@login_required
def pool_export_view(request):
    require_reserve_manager(request.user)
    rows = targets.township_pool_rows(user=request.user, today=timezone.localdate())
    lines = [_row(r.org.name, r, villages=True) for r in rows]
    if len(rows) > 1:
        lines.append(_row("合计", targets.pool_total(rows=rows), villages=True))
    return xlsx_response(
        actor=request.user,
        filename="村级后备力量库（按乡镇）",
        headers=_headers("乡镇（街道）", villages=True),
        rows=lines,
        target_type="reserves.reservecandidate",
    )


@login_required
def pool_township_export_view(request, township_id):
    township = targets.pool_township_get(user=request.user, pk=township_id)
    rows = targets.village_pool_rows(
        user=request.user, township=township, today=timezone.localdate()
    )
    lines = [_row(r.org.name, r, villages=False) for r in rows]
    lines.append(_row("合计", targets.pool_total(rows=rows, org=township), villages=False))
    return xlsx_response(
        actor=request.user,
        filename=f"村级后备力量库（{township.short_name or township.name}）",
        headers=_headers("村（社区）", villages=False),
        rows=lines,
        target_type="reserves.reservecandidate",
        org_path=township.path,
    )
