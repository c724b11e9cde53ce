"""Pages of a reserve's way (选育管用): the record with its history, the township's first review
and the county's sending of names to the joint review from the list, priority and exit. Thin
over reserves.lifecycle."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zuzhi.core.params import object_id, text_param
from zuzhi.core.personal import personal_view

from . import lifecycle
from . import selectors as sel
from .models import ReserveStatus as S


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _chosen(request) -> list:
    """The ticked rows that the user manages; ids outside the scope simply find nothing."""
    ids = {i for i in (object_id(v) for v in request.POST.getlist("ids")) if i}
    return list(sel.candidates_visible(user=request.user).filter(pk__in=ids)) if ids else []


def _back(request):
    """To the list page the form came from (its filters and page), never off the site."""
    target = request.POST.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}
    ):
        target = reverse("reserves:list")
    return redirect(target)


def _reason(request) -> str:
    """Up to the service's limit (text_param stops at a search box's length)."""
    return (request.POST.get("reason") or "").replace("\x00", "").strip()


@login_required
def candidate_record_view(request, pk):
    """A reserve's record (后备力量档案): who, where from, and every step in and out."""
    candidate = sel.candidate_get(user=request.user, pk=pk)
    shown = personal_view(user=request.user, objects=[candidate], where=request.path)[0]
    return render(
        request,
        "reserves/candidate_record.html",
        {
            "c": shown,
            "age": sel.age_on(candidate.birth_date, timezone.localdate()),
            "events": candidate.events.select_related("recorded_by"),
            "statuses": S,
        },
    )


@login_required
@require_POST
def township_review_view(request):
    """乡镇党委初审 of the ticked names: pass them on, or return them with a reason."""
    chosen = _chosen(request)
    approve = request.POST.get("action") == "approve"
    if not chosen:
        messages.error(request, "请先勾选人选。")
        return _back(request)
    try:
        lifecycle.township_review(
            actor=request.user,
            candidates=chosen,
            approve=approve,
            reason=_reason(request),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        verb = "初审通过" if approve else "退回"
        messages.success(request, f"已{verb} {len(chosen)} 人。")
    return _back(request)


@login_required
@require_POST
def send_to_review_view(request):
    """报送县级联审: the county opens a joint review round with the ticked names, or with every
    name the townships passed (a county sends hundreds at once, more than a page holds)."""
    if request.POST.get("scope") == "all":
        chosen = list(sel.candidates_to_send(user=request.user))
    else:
        chosen = _chosen(request)
    try:
        deadline = datetime.date.fromisoformat(text_param(request.POST, "deadline"))
    except ValueError:
        messages.error(request, "请填写反馈截止日期。")
        return _back(request)
    title = text_param(request.POST, "title") or f"{timezone.localdate():%Y年%m月}后备干部联审"
    try:
        review_round = lifecycle.candidates_send_to_review(
            actor=request.user, candidates=chosen, title=title, deadline=deadline
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _back(request)
    messages.success(request, f"已报送县级联审：{review_round.title}，共 {len(chosen)} 人。")
    return redirect("joint_reviews:round", review_round.pk)


@login_required
@require_POST
def candidate_step_view(request, pk):
    """One step on one record: 重点培养 on or off, or 退出 with the reason."""
    candidate = sel.candidate_get(user=request.user, pk=pk)
    step, note = request.POST.get("step"), _reason(request)
    try:
        if step == "exit":
            lifecycle.reserve_exit(actor=request.user, candidate=candidate, reason=note)
        elif step in ("priority", "priority_end"):
            lifecycle.reserve_priority_set(
                actor=request.user, candidate=candidate, priority=step == "priority", note=note
            )
        else:
            messages.error(request, "未知的操作。")
            return redirect("reserves:record", pk)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "已记录。")
    return redirect("reserves:record", pk)
