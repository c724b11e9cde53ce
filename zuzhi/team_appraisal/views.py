"""Pages of the democratic appraisal (民主测评): the cadre section's rounds, and the ballot page,
which needs no login, only a one-time code. Thin adapters over services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zuzhi.cadres.rank_selectors import require_cadre_staff
from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors

from . import selectors, services
from .forms import AppraisalOpenForm
from .models import BALLOT_GRADES, OVERALL, AppraisalStatus, Dimension

GRADE_LABELS = [g.label for g in BALLOT_GRADES]


def _ballot_url(request, appraisal) -> str:
    return request.build_absolute_uri(
        reverse("team_appraisal:ballot", args=[appraisal.ballot_token])
    )


@login_required
def appraisal_list_view(request):
    return render(
        request,
        "team_appraisal/list.html",
        {"appraisals": selectors.appraisal_list(user=request.user)},
    )


@login_required
def appraisal_open_view(request):
    require_cadre_staff(request.user)
    form = AppraisalOpenForm(
        request.POST or None, teams=selectors.appraisal_teams(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            appraisal, codes = services.appraisal_open(
                actor=request.user,
                team=form.cleaned_data["team"],
                year=form.cleaned_data["year"],
                opened_on=form.cleaned_data["opened_on"],
                groups=form.groups(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The plain codes exist only in this response: print them now, cut them apart and
            # hand them out at random within each group.
            return render(
                request,
                "team_appraisal/codes.html",
                {
                    "appraisal": appraisal,
                    "codes": codes,
                    "ballot_url": _ballot_url(request, appraisal),
                },
            )
    return render(request, "team_appraisal/open.html", {"form": form})


@login_required
def appraisal_detail_view(request, pk):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    return render(
        request,
        "team_appraisal/detail.html",
        {
            "appraisal": appraisal,
            "progress": selectors.appraisal_progress(appraisal),
            "results": selectors.appraisal_results(appraisal),
            "grades": GRADE_LABELS,
            "open": appraisal.status == AppraisalStatus.OPEN,
            "ballot_url": _ballot_url(request, appraisal),
        },
    )


@login_required
@require_POST
def appraisal_close_view(request, pk):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    try:
        services.appraisal_close(actor=request.user, appraisal=appraisal)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "民主测评已结束，结果已固定。")
    return redirect("team_appraisal:detail", appraisal.pk)


EXPORT_HEADERS = [
    "姓名",
    "职务",
    "测评主体",
    "权重（%）",
    "票数",
    *[f"综合评价·{g}" for g in GRADE_LABELS],
    *[f"{d.label}·{g}" for d in Dimension for g in GRADE_LABELS],
    "优秀和称职加权占比",
    "不称职加权占比",
    "提示",
]


def _flag_text(row) -> str:
    notes = []
    if row.below_approval:
        notes.append("优秀和称职低于下限（诫勉或调整）")
    if row.above_unfit:
        notes.append("不称职高于上限（免职）")
    return "；".join(notes)


@login_required
def appraisal_export_view(request, pk):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    rows = []
    for r in selectors.appraisal_results(appraisal):
        for g in r.groups:
            rows.append(
                [
                    r.name,
                    r.post,
                    g.name,
                    g.weight,
                    g.ballots,
                    *g.overall,
                    *[n for d in Dimension.values for n in g.dimensions[d]],
                    r.approval,
                    r.unfit,
                    _flag_text(r),
                ]
            )
    return xlsx_response(
        actor=request.user,
        filename=f"{appraisal.team.name}{appraisal.year}年民主测评结果",
        headers=EXPORT_HEADERS,
        rows=rows,
        target_type="team_appraisal.teamappraisal",
        org_path=appraisal.team.organization.path,
    )


# --- the ballot (no login) ----------------------------------------------------------------------
KEYS = [*((d.value, d.label) for d in Dimension), (OVERALL, "综合评价")]


def _posted_marks(request, subjects) -> dict[int, dict[str, str]]:
    return {s.pk: {k: request.POST.get(f"m_{s.pk}_{k}", "") for k, _ in KEYS} for s in subjects}


def _ballot_page(request, appraisal, *, code="", group=None, marks=None, errors=(), done=False):
    """The ballot page; the team's cadres are listed only with a valid code in hand. A refused
    ballot comes back with the grades already chosen."""
    subjects = []
    if group is not None:
        subjects = list(appraisal.subjects.select_related("cadre").order_by("order", "pk"))
    marks = marks or {}
    return render(
        request,
        "team_appraisal/ballot.html",
        {
            "appraisal": appraisal,
            "code": code,
            "group": group,
            "subjects": [
                (s, [(k, label, marks.get(s.pk, {}).get(k, "")) for k, label in KEYS])
                for s in subjects
            ],
            "grades": [(g.value, g.label) for g in BALLOT_GRADES],
            "errors": list(errors),
            "done": done,
            "open": appraisal.status == AppraisalStatus.OPEN,
        },
        status=400 if errors else 200,
    )


def ballot_view(request, token):
    """Step one: no login; a valid one-time code opens the ballot."""
    appraisal = selectors.ballot_appraisal_get(token=token)
    if request.method != "POST":
        return _ballot_page(request, appraisal)
    if appraisal.status != AppraisalStatus.OPEN:
        return _ballot_page(request, appraisal, errors=[services.CLOSED_REFUSED])
    code = request.POST.get("code", "").strip()
    group = services.ballot_code_group(appraisal=appraisal, code=code)
    if group is None:
        return _ballot_page(request, appraisal, errors=[services.CODE_REFUSED])
    return _ballot_page(request, appraisal, code=code, group=group)


@require_POST
def ballot_cast_view(request, token):
    """Step two: the ballot, cast with the code it was opened with."""
    appraisal = selectors.ballot_appraisal_get(token=token)
    if appraisal.status != AppraisalStatus.OPEN:
        return _ballot_page(request, appraisal, errors=[services.CLOSED_REFUSED])
    code = request.POST.get("code", "").strip()
    group = services.ballot_code_group(appraisal=appraisal, code=code)
    if group is None:
        return _ballot_page(request, appraisal, errors=[services.CODE_REFUSED])
    marks = _posted_marks(request, appraisal.subjects.all())
    try:
        services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=marks)
    except ValidationError as exc:
        return _ballot_page(
            request, appraisal, code=code, group=group, marks=marks, errors=exc.messages
        )
    return _ballot_page(request, appraisal, done=True)
