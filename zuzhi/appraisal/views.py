"""Democratic appraisal pages; the ballot page needs no login, only a one-time code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.orgs.selectors import org_param

from . import selectors, services
from .models import Grade, RoundStatus


@login_required
def round_list_view(request):
    return render(
        request,
        "appraisal/round_list.html",
        {"rounds": selectors.appraisal_list(user=request.user)},
    )


@login_required
def round_open_view(request):
    organization = org_param(
        user=request.user, value=request.GET.get("org") or request.POST.get("org")
    )
    if organization is None:
        raise Http404("未找到该组织。")
    year = timezone.localdate().year
    if request.method == "POST":
        try:
            round_, codes = services.appraisal_open(
                actor=request.user, organization=organization, year=year
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return redirect("appraisal:list")
        # The plain codes exist only in this response: print them now and hand them out at random.
        return render(request, "appraisal/codes.html", {"round": round_, "codes": codes})
    return render(
        request, "appraisal/round_open.html", {"organization": organization, "year": year}
    )


@login_required
def round_detail_view(request, pk):
    round_ = selectors.appraisal_get(user=request.user, pk=pk)
    subjects = list(round_.subjects.select_related("member").order_by("member__name"))
    counts = services.tally(round_) if round_.status != RoundStatus.OPEN else {}
    return render(
        request,
        "appraisal/round_detail.html",
        {
            "round": round_,
            "rows": [
                (s, [counts[s.pk][g] for g in Grade.values] if counts else []) for s in subjects
            ],
            "grades": Grade.choices,
            "ballots": round_.ballots.count(),
            "codes_left": round_.codes.filter(used=False).count(),
            "limit": services.excellent_limit(round_, len(subjects)),
        },
    )


@login_required
@require_POST
def round_action_view(request, pk, action):
    round_ = selectors.appraisal_get(user=request.user, pk=pk)
    try:
        if action == "close":
            services.appraisal_close(actor=request.user, round_=round_)
        elif action == "decide":
            grades = {s.pk: request.POST.get(f"grade_{s.pk}", "") for s in round_.subjects.all()}
            services.appraisal_decide(actor=request.user, round_=round_, grades=grades)
        elif action == "publish":
            services.appraisal_publish(actor=request.user, round_=round_)
        elif action == "self":
            subject = round_.subjects.get(pk=request.POST.get("subject"))
            services.self_assessment_save(
                actor=request.user, subject=subject, text=request.POST.get("text", "")
            )
        else:
            raise Http404
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "已保存。")
    return redirect("appraisal:detail", pk=round_.pk)


def _ballot_page(request, round_, *, code: str = "", errors=(), done: bool = False):
    """The ballot page. The branch's members are listed only with a valid code in hand."""
    subjects = []
    if code:
        subjects = list(round_.subjects.select_related("member").order_by("member__name"))
    return render(
        request,
        "appraisal/ballot.html",
        {
            "round": round_,
            "code": code,
            "subjects": subjects,
            "grades": Grade.choices,
            "errors": list(errors),
            "done": done,
            "limit": services.excellent_limit(round_, len(subjects)),
        },
    )


def ballot_view(request, token):
    """The secret ballot (无记名投票), step one: no login; entering a valid one-time code
    opens the ballot."""
    round_ = selectors.ballot_round_get(token=token)
    if request.method != "POST":
        return _ballot_page(request, round_)
    code = request.POST.get("code", "").strip()
    if not services.ballot_code_valid(round_=round_, code=code):
        return _ballot_page(request, round_, errors=["选票码无效或已经使用。"])
    return _ballot_page(request, round_, code=code)


@require_POST
def ballot_cast_view(request, token):
    """Step two: the ballot, cast with the code it was opened with."""
    round_ = selectors.ballot_round_get(token=token)
    code = request.POST.get("code", "").strip()
    if not services.ballot_code_valid(round_=round_, code=code):
        return _ballot_page(request, round_, errors=["选票码无效或已经使用。"])
    marks = {
        pk: request.POST.get(f"grade_{pk}", "")
        for pk in round_.subjects.values_list("pk", flat=True)
    }
    try:
        services.ballot_cast(round_id=round_.pk, code=code, marks=marks)
    except ValidationError as exc:
        return _ballot_page(request, round_, code=code, errors=exc.messages)
    return _ballot_page(request, round_, done=True)
