"""The results page, its exports, publishing a draft and closing supervision cases."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from zuzhi.core.export import pdf_response, xlsx_response
from zuzhi.core.params import id_param

from .. import rules, scoring, selectors, services
from .common import show_errors, text_field

# The bar chart shows this many entrants until asked for all; the radar needs three stages.
CHART_TOP = 30
RADAR_MIN_STAGES = 3


def _score(value) -> Decimal | None:
    """A stored stage score ("85.50", or None where the stage gave none) as a number."""
    return None if value in (None, "") else Decimal(value)


def _version(request, pk, version_pk):
    """The contest and one of its versions the user may see (404 otherwise)."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    return contest, selectors.version_get(user=request.user, contest=contest, pk=version_pk)


@login_required
@require_safe
def results_view(request, pk):
    """The results page (考评结果): the chosen version (?v=, else the newest), its chart and
    the supervision cases; publishing, exports and closing cases have their own addresses."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    versions = selectors.result_versions(user=request.user, contest=contest)
    manager = rules.can_manage(request.user, contest)
    chosen = id_param(request.GET, "v")
    version = next((v for v in versions if v.pk == chosen), None) or (
        versions[0] if versions else None
    )
    rows = list(selectors.result_rows(user=request.user, version=version)) if version else []
    stages = list(contest.stages.all())
    # A radar of fewer than three stages is a line or a point: it says nothing a row doesn't.
    radar = len(stages) >= RADAR_MIN_STAGES
    chart = {
        "names": [r.entrant.name for r in rows],
        "finals": [float(r.final) for r in rows],
        "top": CHART_TOP,
        "stages": [{"name": s.name, "max": 100} for s in stages] if radar else [],
        "radar": {
            str(r.entrant_id): [float(r.stage_scores.get(str(s.pk)) or 0) for s in stages]
            for r in rows
        }
        if radar
        else {},
    }
    return render(
        request,
        "contests/results.html",
        {
            "contest": contest,
            "manager": manager,
            "versions": versions,
            "version": version,
            "rows": rows,
            "stages": stages,
            "chart": chart,
            "chart_shown": min(len(rows), CHART_TOP),
            "radar": radar,
            "rounding": f"{scoring.ROUNDING}{scoring.TIE_BREAK}",
            "cases": selectors.case_list(user=request.user, contest=contest),
        },
    )


@login_required
@require_safe
def results_export_view(request, pk, version_pk, fmt):
    """A version's result table as Excel or PDF (导出), the rows in the user's scope."""
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    contest, version = _version(request, pk, version_pk)
    rows = list(selectors.result_rows(user=request.user, version=version))
    stages = list(contest.stages.all())
    townships = selectors.townships_of(organizations={r.entrant.organization for r in rows})
    headers = [
        "名次",
        "编号",
        "参评对象",
        "所属乡镇",
        *[s.name for s in stages],
        "加减分",
        "总分",
        "等次",
        "入选",
        "红黑榜",
        "说明",
    ]
    table = [
        [
            r.rank,
            r.entrant.number,
            r.entrant.name,
            townships[r.entrant.organization_id],
            *[_score(r.stage_scores.get(str(s.pk))) for s in stages],
            r.adjustment,
            r.final,
            r.tier,
            "是" if r.selected else "",
            r.get_list_mark_display(),
            r.note,
        ]
        for r in rows
    ]
    filename = f"{contest.name}第{version.number}版结果"
    if fmt == "pdf":
        weights = "，".join(f"{s.name} {s.weight:g}%" for s in stages)
        published = (
            f"{timezone.localtime(version.published_at):%Y年%m月%d日}发布"
            if version.published_at
            else "草稿，未发布"
        )
        return pdf_response(
            actor=request.user,
            filename=filename,
            title=f"{contest.name}（{contest.period_label}）考评结果",
            lines=[
                f"主办单位：{contest.organization.name}。第 {version.number} 版，{published}。",
                f"计分办法：{weights}。"
                + (f"更正理由：{version.reason}。" if version.reason else ""),
                scoring.ROUNDING,
                scoring.TIE_BREAK,
            ],
            headers=headers,
            rows=table,
            target_type="contests.resultversion",
            org_path=contest.organization.path,
        )
    return xlsx_response(
        actor=request.user,
        filename=filename,
        headers=headers,
        # Numbers, not text, so that a clerk can sum and sort them in Excel.
        rows=[[float(v) if isinstance(v, Decimal) else v for v in row] for row in table],
        target_type="contests.resultversion",
        org_path=contest.organization.path,
    )


@login_required
@require_POST
def result_publish_view(request, pk, version_pk):
    """Publish a draft version (发布结果); it and every input are then locked."""
    contest, version = _version(request, pk, version_pk)
    try:
        services.result_publish(actor=request.user, version=version)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, "结果已发布并锁定。")
    return redirect("contests:results", contest.pk)


@login_required
@require_POST
def case_close_view(request, pk, case_pk):
    """Close a supervision case (督办办结) with what was done."""
    contest = selectors.contest_get(user=request.user, pk=pk)
    case = selectors.case_get(user=request.user, contest=contest, pk=case_pk)
    try:
        services.case_close(
            actor=request.user, case=case, resolution=text_field(request.POST, "resolution", 2000)
        )
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, "督办事项已办结。")
    return redirect("contests:results", contest.pk)
