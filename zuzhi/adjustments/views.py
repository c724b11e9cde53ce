"""Pages of the five triggers (五个即调): the county view and list of cases, a case with its
evidence and the decision. Thin adapters; the cadre section's only (others: logged 404)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.archive.selectors import require_staff
from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors

from . import selectors as sel
from . import services
from .forms import CaseFilterForm, DecisionForm

EXPORT_HEADERS = ["触发情形", "干部或职位", "单位", "事由", "启动时间", "状态", "处理决定",
                  "决定日期", "理由"]  # fmt: skip


def _filtered(request):
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    cases = sel.case_list(
        user=request.user,
        trigger=data.get("trigger") or None,
        status=data.get("status") or None,
        q=(data.get("q") or "").strip(),
    )
    return form, cases


@login_required
def case_list_view(request):
    require_staff(request.user)
    form, cases = _filtered(request)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "adjustments/list.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(query),
            "counts": sel.case_counts(user=request.user),
        },
    )


def _subject(case) -> str:
    if case.cadre_id:
        return case.cadre.name
    return f"{case.team_post.team.name} {case.team_post.title}"


@login_required
def case_export_view(request):
    require_staff(request.user)
    _, cases = _filtered(request)
    rows = (
        [
            c.get_trigger_display(),
            _subject(c),
            c.organization.name,
            c.title,
            timezone.localtime(c.opened_at).strftime("%Y-%m-%d %H:%M"),
            c.get_status_display(),
            c.get_decision_display(),
            c.decided_on.isoformat() if c.decided_on else "",
            c.decision_reason,
        ]
        for c in cases.iterator(chunk_size=2000)
    )
    return xlsx_response(
        actor=request.user,
        filename="五个即调案件",
        headers=EXPORT_HEADERS,
        rows=rows,
        target_type="adjustments.adjustmentcase",
    )


def _case_page(request, case, form=None):
    return render(
        request,
        "adjustments/case.html",
        {
            "case": case,
            "subject": _subject(case),
            "causes": case.causes.order_by("occurred_on", "pk"),
            "evidence": sel.case_evidence(case=case),
            "form": form or DecisionForm(initial={"decided_on": timezone.localdate()}),
        },
    )


@login_required
def case_view(request, adjustment_case_id):
    case = sel.case_get(user=request.user, pk=adjustment_case_id)
    return _case_page(request, case)


@login_required
@require_POST
def decide_view(request, adjustment_case_id):
    case = sel.case_get(user=request.user, pk=adjustment_case_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.case_decide(
                actor=request.user,
                case=case,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["decision_reason"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已记录处理决定，案件办结。")
            return redirect("adjustments:case", adjustment_case_id=case.pk)
    return _case_page(request, case, form=form)
