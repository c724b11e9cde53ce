"""Subsidy pages (人才补贴): policies, applications with their evidence and decision, monthly
payroll runs (progress bar while the worker computes, approval, the finance sheet), totals per
policy and year, and a talent's own lines. Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.money import yuan
from zuzhi.core.params import text_param
from zuzhi.core.personal import personal_view
from zuzhi.core.uploads import attachment_response
from zuzhi.talent.models import Talent
from zuzhi.talent.scoping import require_talent_office, talent_county

from . import payroll, selectors, services
from .exports import run_export_response
from .forms import ApplicationForm, CorrectionForm, LineNoteForm, PolicyForm, RejectForm, RunForm
from .models import ApplicationStatus, LineKind, RunStatus


def _office(request) -> None:
    require_talent_office(request.user, message="试图查看人才补贴（仅人才办）")


def _error(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- policies ---------------------------------------------------------------------------------
@login_required
def home_view(request):
    _office(request)
    return render(
        request,
        "subsidies/home.html",
        {
            "policies": selectors.policy_list(user=request.user),
            "runs": selectors.run_list(user=request.user)[:12],
            "pending": selectors.application_list(
                user=request.user, status=ApplicationStatus.SUBMITTED
            ).count(),
        },
    )


def _policy_form(request, policy=None):
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                policy = services.subsidy_policy_create(
                    actor=request.user,
                    county=talent_county(request.user),
                    data=form.policy_data(),
                )
            else:
                policy = services.subsidy_policy_update(
                    actor=request.user, policy=policy, data=form.policy_data()
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已保存补贴政策“{policy.name}”。")
            return redirect("subsidies:home")
    return render(request, "subsidies/policy_form.html", {"form": form, "policy": policy})


@login_required
def policy_create_view(request):
    _office(request)
    return _policy_form(request)


@login_required
def policy_edit_view(request, subsidy_policy_id):
    return _policy_form(request, selectors.policy_get(user=request.user, pk=subsidy_policy_id))


# --- applications -----------------------------------------------------------------------------
def _applications(request):
    status = request.GET.get("status", "")
    filters = {
        "status": status if status in ApplicationStatus.values else "",
        "query": text_param(request.GET, "q"),
    }
    return selectors.application_list(user=request.user, **filters), filters


@login_required
def application_list_view(request):
    _office(request)
    qs, filters = _applications(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    personal_view(
        user=request.user,
        objects=[a.talent for a in page.object_list] + page.object_list,
        where=request.path,
        reveal=False,
    )
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "subsidies/application_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": ApplicationStatus.choices,
            "query": urlencode(query),
        },
    )


APPLICATION_HEADERS = [
    "姓名",
    "公民身份号码",
    "学历学位",
    "工作单位",
    "来县工作时间",
    "补贴政策",
    "开户银行",
    "银行账号",
    "状态",
    "首个发放月份",
    "最后发放月份",
    "未通过原因",
]


@login_required
def application_export_view(request):
    """The list as filtered, as Excel: personal data by the policy (the role decides)."""
    _office(request)
    qs, _ = _applications(request)
    applications = list(qs)
    personal_view(user=request.user, objects=[a.talent for a in applications], where=request.path)
    personal_view(user=request.user, objects=applications, where=request.path)
    rows = (
        [
            a.talent.name,
            a.talent.id_number,
            a.talent.get_degree_display(),
            a.talent.employer,
            a.talent.arrived_on,
            a.policy.name,
            a.bank_name,
            a.bank_account,
            a.get_status_display(),
            f"{a.first_month:%Y-%m}" if a.first_month else "",
            f"{a.last_month:%Y-%m}" if a.last_month else "",
            a.reject_reason,
        ]
        for a in applications
    )
    return xlsx_response(
        actor=request.user,
        filename="人才补贴申请",
        headers=APPLICATION_HEADERS,
        rows=rows,
        target_type="subsidies.subsidyapplication",
        org_path=talent_county(request.user).path,
    )


@login_required
def application_create_view(request):
    _office(request)
    policies = selectors.policy_list(user=request.user).filter(active=True)
    form = ApplicationForm(request.POST or None, request.FILES or None, policies=policies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        talent = (
            Talent.objects.visible_to(request.user)
            .filter(county=data["policy"].county, id_number=data["id_number"].strip().upper())
            .first()
        )
        if talent is None:
            form.add_error("id_number", "人才库中没有这个公民身份号码，请先在人才库中登记。")
        else:
            try:
                application = services.subsidy_application_submit(
                    actor=request.user,
                    policy=data["policy"],
                    talent=talent,
                    data=data,
                    files=request.FILES,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"talent": "id_number"})
            else:
                messages.success(request, f"已登记{talent.name}的补贴申请。")
                return redirect("subsidies:application", application.pk)
    return render(request, "subsidies/application_form.html", {"form": form})


@login_required
def application_detail_view(request, subsidy_application_id):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    reveal = request.GET.get("reveal") == "1"
    personal_view(
        user=request.user,
        objects=[application.talent, application],
        where=request.path,
        reveal=reveal,
    )
    return render(
        request,
        "subsidies/application_detail.html",
        {
            "application": application,
            "reject_form": RejectForm(),
            "correction_form": CorrectionForm(),
            "corrections": application.corrections.select_related("run").order_by("-id"),
            "lines": application.lines.select_related("run").order_by("-run__month", "-id")[:60],
        },
    )


@login_required
@require_POST
def application_approve_view(request, subsidy_application_id):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    try:
        services.subsidy_application_approve(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, "不符合政策条件，未通过审核：" + "".join(exc.messages))
    else:
        messages.success(request, "已审核通过。")
    return redirect("subsidies:application", application.pk)


@login_required
@require_POST
def application_reject_view(request, subsidy_application_id):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    try:
        services.subsidy_application_reject(
            actor=request.user, application=application, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已审核不通过。")
    return redirect("subsidies:application", application.pk)


@login_required
@require_POST
def application_bank_view(request, subsidy_application_id):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    try:
        services.subsidy_application_bank_change(
            actor=request.user,
            application=application,
            bank_name=request.POST.get("bank_name", ""),
            bank_account=request.POST.get("bank_account", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已变更收款账号。")
    return redirect("subsidies:application", application.pk)


@login_required
@require_POST
def application_correct_view(request, subsidy_application_id):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("subsidies:application", application.pk)
    try:
        payroll.subsidy_correction_create(
            actor=request.user,
            application=application,
            month=form.cleaned_data["month"],
            amount_fen=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已登记，将计入下一发放批次。")
    return redirect("subsidies:application", application.pk)


def _evidence(request, subsidy_application_id, field: str):
    application = selectors.application_get(user=request.user, pk=subsidy_application_id)
    return attachment_response(
        getattr(application, field),
        actor=request.user,
        target=application,
        org_path=application.talent.county.path,
    )


@login_required
def application_certificate_view(request, subsidy_application_id):
    return _evidence(request, subsidy_application_id, "degree_certificate")


@login_required
def application_contract_view(request, subsidy_application_id):
    return _evidence(request, subsidy_application_id, "labour_contract")


# --- payroll runs -----------------------------------------------------------------------------
@login_required
def run_list_view(request):
    _office(request)
    policies = selectors.policy_list(user=request.user)
    form = RunForm(request.POST or None, policies=policies)
    if request.method == "POST" and form.is_valid():
        try:
            run = payroll.subsidy_run_create(
                actor=request.user,
                policy=form.cleaned_data["policy"],
                month=form.cleaned_data["month"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("subsidies:run", run.pk)
    page = Paginator(selectors.run_list(user=request.user), 24).get_page(request.GET.get("page"))
    return render(request, "subsidies/run_list.html", {"page": page, "form": form})


def _progress_context(run) -> dict:
    return {
        "run": run,
        "done": payroll.subsidy_run_progress(run=run),
        "worker_missing": payroll.subsidy_run_worker_missing(run=run),
        "stuck": payroll.run_stuck(run=run),
    }


@login_required
def run_detail_view(request, subsidy_run_id):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in LineKind.values else ""
    query = text_param(request.GET, "q")
    lines = selectors.run_lines(user=request.user, run=run, kind=kind, query=query)
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    personal_view(
        user=request.user,
        objects=[line.talent for line in page.object_list],
        where=request.path,
        reveal=False,
    )
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "subsidies/run_detail.html",
        {
            **_progress_context(run),
            "page": page,
            "kind": kind,
            "q": query,
            "kinds": LineKind.choices,
            "query": urlencode(params),
            "total_yuan": yuan(run.total_fen),
            "note_form": LineNoteForm(),
        },
    )


@login_required
def run_progress_view(request, subsidy_run_id):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    response = render(request, "subsidies/_run_progress.html", _progress_context(run))
    if run.status not in (RunStatus.QUEUED, RunStatus.COMPUTING):
        response["HX-Refresh"] = "true"  # show the ledger once the worker has finished
    return response


@login_required
@require_POST
def run_recompute_view(request, subsidy_run_id):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    try:
        payroll.subsidy_run_recompute(actor=request.user, run=run)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已重新计算。")
    return redirect("subsidies:run", run.pk)


@login_required
@require_POST
def run_approve_view(request, subsidy_run_id):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    try:
        payroll.subsidy_run_approve(actor=request.user, run=run)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已审核，批次已锁定。")
    return redirect("subsidies:run", run.pk)


@login_required
def run_export_view(request, subsidy_run_id):
    run = selectors.run_get(user=request.user, pk=subsidy_run_id)
    try:
        return run_export_response(actor=request.user, run=run, where=request.path)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("subsidies:run", run.pk)


@login_required
@require_POST
def line_note_view(request, subsidy_line_id):
    line = selectors.line_get(user=request.user, pk=subsidy_line_id)
    try:
        payroll.subsidy_line_note(actor=request.user, line=line, note=request.POST.get("note", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("subsidies:run", line.run_id)


# --- totals and the talent's own lines --------------------------------------------------------
@login_required
def totals_view(request):
    _office(request)
    rows = selectors.totals(user=request.user)
    for row in rows:
        row["total_yuan"] = yuan(row["total_fen"] or 0)
    return render(request, "subsidies/totals.html", {"rows": rows})


@login_required
def mine_view(request):
    """A talent's own subsidy lines (their account): nothing else of the ledger."""
    lines = selectors.my_lines(user=request.user)
    page = Paginator(lines, 36).get_page(request.GET.get("page"))
    return render(request, "subsidies/mine.html", {"page": page, "query": ""})
