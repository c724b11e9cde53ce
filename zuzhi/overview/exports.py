"""The county overview as a report (settings.ZUZHI_REPORTS): the subtree and period read from
the query string, the figures rendered for the page and written as the PDF, by one code for the
request and for the worker (over ZUZHI_EXPORT_INLINE_MAX members)."""

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from zuzhi.core.export import pdf_bytes
from zuzhi.core.export_jobs import Report
from zuzhi.core.money import yuan
from zuzhi.orgs.figures import subtree_members
from zuzhi.orgs.models import Organization

from . import selectors
from .forms import PeriodForm

KIND = "overview"
RESERVE_LEVEL = {"township": "乡镇（街道）", "village": "村（社区）"}
PDF_HEADERS = ["类别", "项目", "数值"]


def overview_params_read(*, user, params) -> tuple[Organization, PeriodForm]:
    """The subtree (`org`, checked with overview_root) and the period's form (本年 when
    nothing is chosen)."""
    root = selectors.overview_root(user=user, value=params.get("org"))
    form = PeriodForm(params or None, today=timezone.localdate(), initial={"preset": "year"})
    return root, form


def overview_query(*, root: Organization, form: PeriodForm) -> QueryDict:
    """The overview's parameters as a report job keeps them: the subtree and the period as
    chosen (a preset stays a preset, so 本年 is this year whenever it is computed again)."""
    query = QueryDict(mutable=True)
    query["org"] = str(root.pk)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("preset") or not (data.get("start") and data.get("end")):
        query["preset"] = data.get("preset") or "year"
    else:
        query["start"], query["end"] = f"{data['start']:%Y-%m-%d}", f"{data['end']:%Y-%m-%d}"
    return query


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


def figures_context(o: selectors.Overview) -> dict:
    """What overview/_figures.html shows."""
    return {
        "o": o,
        "reserve_level": RESERVE_LEVEL[o.reserves.by] if o.reserves else "",
        "subsidy_yuan": yuan(o.subsidies["total_fen"]) if o.subsidies else "",
        "chart": _chart(o),
    }


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


def pdf_lines(o: selectors.Overview) -> list[str]:
    """The lines above the PDF's table: scope, period, and what each kind of figure counts."""
    lines = [f"统计范围：{o.root.name}", f"统计期间：{o.period.label}"]
    lines.append(
        f"党组织、党员总数、后备力量、联系户、人才为 {timezone.localdate():%Y-%m-%d} 的现状；"
        "入党、诉求、补贴为统计期间内的数字。"
    )
    if not o.talent_office:
        lines.append("人才和人才补贴数据仅县委组织部人才办可见，本表不含。")
    return lines


def pdf_title(root: Organization) -> str:
    return f"{root.short_name or root.name}概览"


def pdf_filename(root: Organization) -> str:
    return f"全县概览（{root.short_name or root.name}）"


def overview_report(*, actor, params, where: str) -> Report:
    root, form = overview_params_read(user=actor, params=params)

    def build() -> tuple[bytes, str]:
        o = selectors.overview(user=actor, root=root, period=form.period())
        content = pdf_bytes(
            title=pdf_title(root), lines=pdf_lines(o), headers=PDF_HEADERS, rows=pdf_rows(o)
        )
        return content, render_to_string("overview/_figures.html", figures_context(o))

    return Report(
        count=lambda: subtree_members(user=actor, org=root),
        build=build,
        filename=pdf_filename(root),
        extension="pdf",
        target_type="orgs.organization",
        org_path=root.path,
    )
