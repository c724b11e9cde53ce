"""Pages of the county joint review (县级联审): the county's rounds, opening a round from a
pasted list, a round's names × departments, and the reviewer's phone screen. Thin adapters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.params import id_param, object_id
from zuzhi.core.personal import personal_document, personal_view
from zuzhi.core.scope import deny, role_paths

from . import selectors as sel
from . import services
from .forms import RejectForm, RoundOpenForm
from .models import Outcome, Verdict
from .rules import ROUND_ROLES


def _require_round_role(user):
    if not role_paths(user, *ROUND_ROLES):
        raise deny(user, message="县级联审为县委组织部工作人员和干部科使用。")


@login_required
def round_list_view(request):
    _require_round_role(request.user)
    rounds = sel.rounds_visible(user=request.user).select_related("organization")
    page = Paginator(rounds, 50).get_page(request.GET.get("page"))
    return render(request, "joint_reviews/list.html", {"page": page})


@login_required
def round_open_view(request):
    _require_round_role(request.user)
    county = sel.round_county(user=request.user)
    form = RoundOpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        lines = form.cleaned_data["items"]
        villages = sel.villages_by_name(county=county, names={v for _, _, v in lines})
        missing = sorted({v for _, _, v in lines if v not in villages})
        if missing:
            form.add_error("items", f"本县没有这些村：{'、'.join(missing)}。")
        else:
            try:
                review_round = services.round_open(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    organization=county,
                    title=form.cleaned_data["title"],
                    deadline=form.cleaned_data["deadline"],
                    items=[services.ItemInput(n, i, villages[v]) for n, i, v in lines],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"已发起联审，共 {review_round.items.count()} 人。")
                return redirect("joint_reviews:round", review_round_id=review_round.pk)
    return render(request, "joint_reviews/open.html", {"form": form, "county": county})


@login_required
def round_view(request, review_round_id):
    review_round = sel.round_get(user=request.user, pk=review_round_id)
    matrix = sel.round_matrix(review_round=review_round)
    personal_view(
        user=request.user, objects=[r["item"] for r in matrix["rows"]], where="县级联审批次"
    )
    return render(
        request, "joint_reviews/round.html", {"round": review_round, "outcomes": Outcome, **matrix}
    )


@login_required
@require_POST
def round_close_view(request, review_round_id):
    review_round = sel.round_get(user=request.user, pk=review_round_id)
    try:
        services.round_close(actor=request.user, review_round=review_round)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "联审已结束。")
    return redirect("joint_reviews:round", review_round_id=review_round.pk)


@login_required
def round_export_view(request, review_round_id):
    review_round = sel.round_get(user=request.user, pk=review_round_id)
    matrix = sel.round_matrix(review_round=review_round)
    items = personal_view(
        user=request.user, objects=[r["item"] for r in matrix["rows"]], where="县级联审导出"
    )
    headers = ["姓名", "公民身份号码", "村", "联审结果"] + [d.name for d in matrix["departments"]]
    rows = [
        [item.name, item.id_number, item.village.name, Outcome(item.outcome).label]
        + [_cell(c) for c in row["cells"]]
        for item, row in zip(items, matrix["rows"], strict=True)
    ]
    return xlsx_response(
        actor=request.user,
        filename=f"县级联审-{review_round.title}",
        headers=headers,
        rows=rows,
        target_type="joint_reviews.reviewround",
        org_path=review_round.organization.path,
    )


def _cell(decision) -> str:
    if decision is None:
        return "未反馈"
    if decision.verdict == Verdict.REJECTED:
        return f"不通过：{decision.reason}"
    return "通过"


# --- the reviewer's screen -----------------------------------------------------------------
def _department(request):
    """The reviewer's department named by ?department= (or the POST), else their first;
    anyone who reviews for no department is refused like any out-of-scope request."""
    departments = sel.reviewer_departments(user=request.user)
    wanted = id_param(request.POST or request.GET, "department")
    for department in departments:
        if wanted is None or department.pk == wanted:
            return department, departments
    raise deny(request.user, message="只能以本部门身份查看联审名单。")


@login_required
def review_view(request):
    department, departments = _department(request)
    pending = sel.reviewer_pending(user=request.user, department=department)
    page = Paginator(pending, sel.REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    personal_document(user=request.user, objects=list(page.object_list), where="联审部门审核")
    return render(
        request,
        "joint_reviews/review.html",
        {
            "department": department,
            "departments": departments,
            "page": page,
            "query": f"department={department.pk}",
        },
    )


def _back(department, page_number=None):
    url = f"{reverse('joint_reviews:review')}?department={department.pk}"
    return redirect(f"{url}&page={page_number}" if page_number else url)


@login_required
@require_POST
def review_clear_view(request, review_item_id):
    department, _ = _department(request)
    item = sel.reviewer_item_get(user=request.user, department=department, pk=review_item_id)
    _decide(request, item, department, Verdict.CLEARED, "")
    return _back(department, request.POST.get("page"))


@login_required
@require_POST
def review_reject_view(request, review_item_id):
    department, _ = _department(request)
    item = sel.reviewer_item_get(user=request.user, department=department, pk=review_item_id)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _decide(request, item, department, Verdict.REJECTED, reason)
    return _back(department, request.POST.get("page"))


def _decide(request, item, department, verdict, reason):
    try:
        services.decision_record(
            actor=request.user, item=item, department=department, verdict=verdict, reason=reason
        )
    except ValidationError as exc:
        messages.error(request, f"{item.name}：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"已记录：{item.name} {Verdict(verdict).label}。")


@login_required
@require_POST
def review_clear_page_view(request):
    department, _ = _department(request)
    ids = [i for i in map(object_id, request.POST.getlist("item")) if i]
    items = list(
        sel.reviewer_items(user=request.user, department=department)
        .filter(pk__in=ids)
        .select_related("round__organization")
    )
    if not items:
        raise Http404("未找到该对象。")
    try:
        cleared = services.decisions_clear_pending(
            actor=request.user, department=department, items=items
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"本页 {len(cleared)} 人已全部通过。")
    return _back(department)
