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
from .models import AppraisalRound, Grade, RoundStatus


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


def ballot_view(request, pk):
    """The secret ballot (无记名投票): no login; the one-time code is the right to vote."""
    round_ = AppraisalRound.objects.filter(pk=pk).select_related("organization").first()
    if round_ is None:
        raise Http404("未找到该评议。")
    subjects = list(round_.subjects.select_related("member").order_by("member__name"))
    errors, done = [], False
    if request.method == "POST":
        marks = {s.pk: request.POST.get(f"grade_{s.pk}", "") for s in subjects}
        try:
            services.ballot_cast(round_id=round_.pk, code=request.POST.get("code", ""), marks=marks)
        except ValidationError as exc:
            errors = exc.messages
        else:
            done = True
    return render(
        request,
        "appraisal/ballot.html",
        {
            "round": round_,
            "subjects": subjects,
            "grades": Grade.choices,
            "errors": errors,
            "done": done,
            "limit": services.excellent_limit(round_, len(subjects)),
            "posted": request.POST if errors else {},
        },
    )
