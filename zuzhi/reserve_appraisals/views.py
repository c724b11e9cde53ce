"""Pages of the reserves' half-year appraisal (后备力量半年考评): the list, opening (the codes
shown once), an appraisal with its inspection notes, tally and outcomes, and the ballot page,
which needs no login, only a one-time code. Thin adapters over services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.reserves.models import ReserveStatus
from zuzhi.reserves.selectors import townships

from . import rules, selectors, services
from .forms import AppraisalOpenForm, DecideForm, InspectionForm
from .models import ReserveAppraisalStatus

GRADE_LABELS = [g.label for g in rules.BALLOT_GRADES]


def _ballot_url(request, appraisal) -> str:
    return request.build_absolute_uri(
        reverse("reserve_appraisals:ballot", args=[appraisal.ballot_token])
    )


@login_required
def appraisal_list_view(request):
    selectors.require_manager(user=request.user)
    return render(
        request,
        "reserve_appraisals/list.html",
        {"appraisals": selectors.appraisal_list(user=request.user)},
    )


@login_required
def appraisal_open_view(request):
    selectors.require_manager(user=request.user)
    form = AppraisalOpenForm(request.POST or None, townships=townships(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            appraisal, codes = services.appraisal_open(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The plain codes exist only in this response: print them now, cut them apart and
            # hand them out at random.
            return render(
                request,
                "reserve_appraisals/codes.html",
                {
                    "appraisal": appraisal,
                    "codes": codes,
                    "ballot_url": _ballot_url(request, appraisal),
                },
            )
    return render(request, "reserve_appraisals/open.html", {"form": form})


def _rows(subjects):
    """Each reserve with its counts as lists in the order of the grades, per dimension."""
    rows = []
    for s in subjects:
        counts = s.counts or rules.blank_counts()
        dims = [
            (label, [counts[d][g] for g in rules.BALLOT_GRADES])
            for d, label in rules.Dimension.choices
        ]
        rows.append((s, dims))
    return rows


@login_required
def appraisal_detail_view(request, reserve_appraisal_id):
    appraisal = selectors.appraisal_get(user=request.user, pk=reserve_appraisal_id)
    subjects = list(selectors.appraisal_subjects(appraisal=appraisal))
    return render(
        request,
        "reserve_appraisals/detail.html",
        {
            "appraisal": appraisal,
            "rows": _rows(subjects),
            "progress": selectors.appraisal_progress(appraisal=appraisal),
            "grades": GRADE_LABELS,
            "open": appraisal.status == ReserveAppraisalStatus.OPEN,
            "ballot_url": _ballot_url(request, appraisal),
            "undecided": sum(1 for s in subjects if not s.outcome),
        },
    )


@login_required
@require_POST
def appraisal_close_view(request, reserve_appraisal_id):
    appraisal = selectors.appraisal_get(user=request.user, pk=reserve_appraisal_id)
    try:
        services.appraisal_close(actor=request.user, appraisal=appraisal)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "民主测评已结束，测评结果已固定。请逐人确定去留。")
    return redirect("reserve_appraisals:detail", appraisal.pk)


@login_required
def inspection_view(request, reserve_subject_id):
    subject = selectors.subject_get(user=request.user, pk=reserve_subject_id)
    form = InspectionForm(request.POST or None, initial={"inspection": subject.inspection})
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_save(
                actor=request.user, subject=subject, text=form.cleaned_data["inspection"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{subject.candidate.name}的考察情况。")
            return redirect("reserve_appraisals:detail", subject.appraisal_id)
    return render(
        request,
        "reserve_appraisals/subject_form.html",
        {"subject": subject, "form": form, "title": "考察情况", "submit": "保存"},
    )


@login_required
def decide_view(request, reserve_subject_id):
    subject = selectors.subject_get(user=request.user, pk=reserve_subject_id)
    in_pool = subject.candidate.status == ReserveStatus.IN_POOL
    form = DecideForm(request.POST or None, in_pool=in_pool)
    if request.method == "POST" and form.is_valid():
        try:
            services.subject_decide(
                actor=request.user,
                subject=subject,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已确定{subject.candidate.name}的去留。")
            return redirect("reserve_appraisals:detail", subject.appraisal_id)
    return render(
        request,
        "reserve_appraisals/subject_form.html",
        {"subject": subject, "form": form, "title": "确定去留", "submit": "确定"},
    )


# --- the ballot (no login) ----------------------------------------------------------------------
def _posted_marks(request, subjects) -> dict[int, dict[str, str]]:
    return {
        s.pk: {d: request.POST.get(f"m_{s.pk}_{d}", "") for d in rules.Dimension.values}
        for s in subjects
    }


def _ballot_page(request, appraisal, *, code="", marks=None, errors=(), done=False):
    """The ballot page; the reserves are listed only with a valid code in hand. A refused
    ballot comes back with the grades already chosen."""
    subjects = []
    if code:
        subjects = list(appraisal.subjects.select_related("candidate", "village"))
    marks = marks or {}
    return render(
        request,
        "reserve_appraisals/ballot.html",
        {
            "appraisal": appraisal,
            "code": code,
            "subjects": [
                (
                    s,
                    [
                        (d, label, marks.get(s.pk, {}).get(d, ""))
                        for d, label in rules.Dimension.choices
                    ],
                )
                for s in subjects
            ],
            "grades": [(g.value, g.label) for g in rules.BALLOT_GRADES],
            "errors": list(errors),
            "done": done,
            "open": appraisal.status == ReserveAppraisalStatus.OPEN,
        },
        status=400 if errors else 200,
    )


def _checked_code(request, appraisal):
    """The posted code when it is an unused one of the open appraisal, else an error page."""
    if appraisal.status != ReserveAppraisalStatus.OPEN:
        return None, _ballot_page(request, appraisal, errors=[services.CLOSED_REFUSED])
    code = request.POST.get("code", "").strip()
    if not services.ballot_code_valid(appraisal=appraisal, code=code):
        return None, _ballot_page(request, appraisal, errors=[services.CODE_REFUSED])
    return code, None


def ballot_view(request, token):
    """Step one: no login; a valid one-time code opens the ballot."""
    appraisal = selectors.ballot_appraisal_get(token=token)
    if request.method != "POST":
        return _ballot_page(request, appraisal)
    code, refused = _checked_code(request, appraisal)
    return refused or _ballot_page(request, appraisal, code=code)


@require_POST
def ballot_cast_view(request, token):
    """Step two: the ballot, cast with the code it was opened with."""
    appraisal = selectors.ballot_appraisal_get(token=token)
    code, refused = _checked_code(request, appraisal)
    if refused:
        return refused
    marks = _posted_marks(request, appraisal.subjects.all())
    try:
        services.ballot_cast(appraisal_id=appraisal.pk, code=code, marks=marks)
    except ValidationError as exc:
        return _ballot_page(request, appraisal, code=code, marks=marks, errors=exc.messages)
    return _ballot_page(request, appraisal, done=True)
