"""The county overview (全县概览) page and its PDF: thin over selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from zuzhi.core.export import pdf_response
from zuzhi.core.money import yuan

from . import selectors
from .forms import PeriodForm

RESERVE_LEVEL = {"township": "乡镇（街道）", "village": "村（社区）"}


def _read(request):
    """The subtree and period the query string names, and the figures."""
    user = request.user
    root = selectors.overview_root(user=user, value=request.GET.get("org"))
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today, initial={"preset": "year"})
    figures = selectors.overview(user=user, root=root, period=form.period(), today=today)
    return root, form, figures


def _percent(share) -> str:
    return "—" if share is None else f"{share}%"


def _chart(o: selectors.Overview) -> dict:
    reserves = o.reserves
    return {
        "orgs": o.orgs,
        "members": [["正式党员", o.members["full"]], ["预备党员", o.members["probationary"]]],
        "reserves": [
            [r.org.short_name or r.org.name, r.pool, r.villages_under] for r in reserves.rows
        ]
        if reserves and reserves.chart
        else [],
        "tickets": o.tickets.by_month if o.tickets else [],
    }


@require_safe
@login_required
def overview_view(request):
    root, form, figures = _read(request)
    return render(
        request,
        "overview/overview.html",
        {
            "root": root,
            "form": form,
            "o": figures,
            "choices": selectors.subtree_choices(user=request.user, root=root),
            "reserve_level": RESERVE_LEVEL[figures.reserves.by] if figures.reserves else "",
            "subsidy_yuan": yuan(figures.subsidies["total_fen"]) if figures.subsidies else "",
            "chart": _chart(figures),
        },
    )


def pdf_rows(o: selectors.Overview) -> list[list]:
    """The overview as one table: section, item, figure."""
    rows = [["党组织", "党组织总数", o.org_total]]
    rows += [["党组织", label, n] for label, n in o.orgs]
    m = o.members
    rows += [
        ["党员", "党员总数", m["total"]],
        ["党员", "正式党员", m["full"]],
        ["党员", "预备党员", m["probationary"]],
        ["党员", "期间内入党", m["joined"]],
    ]
    if o.reserves:
        t = o.reserves.total
        rows += [
            ["村级后备力量", "村（社区）数", t.villages],
            [
                "村级后备力量",
                f"达到每村{o.reserves.targets.per_village}名的村（社区）",
                o.reserves.villages_met,
            ],
            ["村级后备力量", "入库人数", t.pool],
            ["村级后备力量", "平均年龄", str(t.average_age_shown or "—")],
            ["村级后备力量", "大专及以上占比", _percent(t.college_percent_shown)],
        ]
        level = RESERVE_LEVEL[o.reserves.by]
        rows += [
            [
                f"后备力量（按{level}）",
                r.org.name,
                f"入库 {r.pool} 人，平均年龄 {r.average_age_shown or '—'}，"
                f"大专及以上 {_percent(r.college_percent_shown)}",
            ]
            for r in o.reserves.rows
        ]
    if o.households is not None:
        rows += [
            ["联系户", "登记住户", o.households["total"]],
            ["联系户", "已联系党员的住户", o.households["linked"]],
        ]
    if o.tickets is not None:
        rows += [
            ["群众诉求", "期间内提交", o.tickets.opened],
            ["群众诉求", "期间内办结", o.tickets.closed],
            ["群众诉求", "期间内提交的办结率", _percent(o.tickets.closing_rate)],
        ]
    if o.talent_office:
        rows += [
            ["人才", "在县人才", o.talents],
            ["人才补贴", "期间内发放（元）", yuan(o.subsidies["total_fen"])],
            ["人才补贴", "发放人数", o.subsidies["people"]],
        ]
    return rows


@require_safe
@login_required
def overview_pdf_view(request):
    """The same figures as a PDF (charts left out), audited as an export."""
    root, _form, figures = _read(request)
    lines = [f"统计范围：{root.name}", f"统计期间：{figures.period.label}"]
    lines.append(
        f"党组织、党员总数、后备力量、联系户、人才为 {timezone.localdate():%Y-%m-%d} 的现状；"
        "入党、诉求、补贴为统计期间内的数字。"
    )
    if not figures.talent_office:
        lines.append("人才和人才补贴数据仅县委组织部人才办可见，本表不含。")
    return pdf_response(
        actor=request.user,
        filename=f"全县概览（{root.short_name or root.name}）",
        title=f"{root.short_name or root.name}概览",
        lines=lines,
        headers=["类别", "项目", "数值"],
        rows=pdf_rows(figures),
        target_type="orgs.organization",
        org_path=root.path,
    )
