"""The talent office's challenge pages (揭榜挂帅): the list with its filter and export, a
challenge with its applications, scores, milestones and payments, and one URL per action.
Thin over selectors and services."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.money import yuan
from zuzhi.core.params import text_param
from zuzhi.core.personal import may_reveal_phone, personal_phone_reveal, personal_view
from zuzhi.core.uploads import attachment_response
from zuzhi.talent.scoping import require_talent_office

from . import selectors, services
from .forms import (
    ApplicationForm,
    AwardForm,
    ChallengeForm,
    MilestoneDoneForm,
    MilestoneForm,
    PaymentForm,
    ReasonForm,
    ReviewerForm,
    ScoreForm,
)
from .models import ChallengeState

S = ChallengeState


def _filtered(request):
    state = request.GET.get("state", "")
    filters = {"state": state if state in S.values else "", "query": text_param(request.GET, "q")}
    return selectors.challenge_list(user=request.user, **filters), filters


@login_required
def challenge_list_view(request):
    qs, filters = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "challenges/list.html",
        {"page": page, "filters": filters, "states": S.choices, "query": urlencode(query)},
    )


EXPORT_HEADERS = [
    "榜单名称",
    "发榜单位",
    "所属产业",
    "奖励金额（元）",
    "揭榜截止日期",
    "状态",
    "揭榜申请数",
    "揭榜方",
    "已拨付（元）",
]


@login_required
def challenge_export_view(request):
    qs, _ = _filtered(request)
    rows = (
        [
            c.title,
            c.owner_company,
            c.industry,
            yuan(c.reward_fen),
            c.deadline,
            c.get_state_display(),
            c.application_count,
            c.winner.applicant if c.winner else "",
            yuan(c.paid_fen),
        ]
        for c in qs
    )
    return xlsx_response(
        actor=request.user,
        filename="揭榜挂帅榜单",
        headers=EXPORT_HEADERS,
        rows=rows,
        target_type="challenges.challenge",
    )


@login_required
def challenge_create_view(request):
    require_talent_office(request.user)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已新建榜单（草稿）。")
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/form.html", {"form": form, "challenge": None})


@login_required
def challenge_edit_view(request, pk):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    initial = {f: getattr(challenge, f) for f in services.CHALLENGE_FIELDS}
    initial["reward_fen"] = yuan(challenge.reward_fen)
    form = ChallengeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(
                actor=request.user, challenge=challenge, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("challenges:detail", challenge.pk)
    return render(request, "challenges/form.html", {"form": form, "challenge": challenge})


@login_required
def application_phone_view(request, pk):
    """One applicant's full phone (a tap on the masked one), as a tel: link; audited by the
    personal-data policy, which also decides who may. Looked up first, so that an application
    out of scope is "not found" whatever the method."""
    application = selectors.application_get(user=request.user, pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    phone = personal_phone_reveal(
        user=request.user, obj=application, field="contact_phone", where=request.path
    )
    return render(request, "challenges/_phone.html", {"phone": phone})


@login_required
def challenge_detail_view(request, pk):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    # Masked for every role: one phone is revealed on request (application_phone_view).
    applications = personal_view(
        user=request.user,
        objects=list(selectors.application_list(challenge=challenge)),
        where=request.path,
        reveal=False,
    )
    reviewers = list(challenge.reviewers.all())
    milestones = list(challenge.milestones.all())
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "applications": applications,
            "reviewers": reviewers,
            "milestones": milestones,
            "payments": challenge.payments.select_related("milestone"),
            "left_yuan": yuan(challenge.reward_fen - challenge.paid_fen),
            "paid_yuan": yuan(challenge.paid_fen),
            "S": S,
            "may_reveal_phone": may_reveal_phone(request.user),
            "reason_form": ReasonForm(),
            "reviewer_form": ReviewerForm(),
            "score_form": ScoreForm(reviewers=reviewers),
            "award_form": AwardForm(applications=applications),
            "milestone_form": MilestoneForm(),
            "done_form": MilestoneDoneForm(),
            "payment_form": PaymentForm(milestones=milestones),
        },
    )


def _done(request, pk, act, success: str):
    """Run a service on the challenge; its refusal is shown on the challenge's page."""
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    try:
        act(challenge)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("challenges:detail", challenge.pk)


def _form_refused(request, pk, form):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    errors = [m for field in form.errors.values() for m in field]
    messages.error(request, "；".join(errors))
    return redirect("challenges:detail", challenge.pk)


@login_required
@require_POST
def challenge_publish_view(request, pk):
    return _done(
        request,
        pk,
        lambda c: services.challenge_publish(actor=request.user, challenge=c),
        "已发榜，公开页面已可查看。",
    )


@login_required
@require_POST
def challenge_review_view(request, pk):
    return _done(
        request,
        pk,
        lambda c: services.challenge_review(actor=request.user, challenge=c),
        "已截止申请，开始评审。",
    )


@login_required
@require_POST
def challenge_start_view(request, pk):
    return _done(
        request,
        pk,
        lambda c: services.challenge_start(actor=request.user, challenge=c),
        "已开始攻关。",
    )


@login_required
@require_POST
def challenge_complete_view(request, pk):
    return _done(
        request,
        pk,
        lambda c: services.challenge_complete(actor=request.user, challenge=c),
        "攻关完成，榜单已办结。",
    )


@login_required
@require_POST
def challenge_close_view(request, pk):
    reason = request.POST.get("reason", "")[:2000]
    return _done(
        request,
        pk,
        lambda c: services.challenge_close(actor=request.user, challenge=c, reason=reason),
        "已关闭榜单。",
    )


@login_required
@require_POST
def challenge_award_view(request, pk):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    form = AwardForm(request.POST, applications=challenge.applications.all())
    if not form.is_valid():
        return _form_refused(request, pk, form)
    application = selectors.application_get(user=request.user, pk=form.cleaned_data["application"])
    return _done(
        request,
        pk,
        lambda c: services.challenge_award(
            actor=request.user,
            challenge=c,
            application=application,
            reason=form.cleaned_data["reason"],
        ),
        f"已确定揭榜方：{application.applicant}。",
    )


@login_required
def application_create_view(request, pk):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("members", "files")}
        try:
            services.application_create(
                actor=request.user,
                challenge=challenge,
                data=data,
                members=form.team(),
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "已登记揭榜申请。")
            return redirect("challenges:detail", challenge.pk)
    return render(
        request, "challenges/application_form.html", {"form": form, "challenge": challenge}
    )


@login_required
def application_file_view(request, pk, file_pk):
    application = selectors.application_get(user=request.user, pk=pk)
    stored = get_object_or_404(application.files, pk=file_pk)
    return attachment_response(
        stored.file,
        actor=request.user,
        target=application,
        org_path=application.challenge.county.path,
        filename=stored.name,
    )


@login_required
@require_POST
def reviewer_add_view(request, pk):
    form = ReviewerForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, pk, form)
    return _done(
        request,
        pk,
        lambda c: services.reviewer_add(actor=request.user, challenge=c, **form.cleaned_data),
        "已增加评审专家。",
    )


@login_required
@require_POST
def score_view(request, pk):
    application = selectors.application_get(user=request.user, pk=pk)
    challenge = application.challenge
    form = ScoreForm(request.POST, reviewers=challenge.reviewers.all())
    if not form.is_valid():
        return _form_refused(request, challenge.pk, form)
    reviewer = selectors.reviewer_get(user=request.user, pk=form.cleaned_data["reviewer"])
    return _done(
        request,
        challenge.pk,
        lambda c: services.score_set(
            actor=request.user,
            application=application,
            reviewer=reviewer,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        ),
        f"已登记 {reviewer.name} 对“{application.applicant}”的评分。",
    )


@login_required
@require_POST
def milestone_add_view(request, pk):
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, pk, form)
    return _done(
        request,
        pk,
        lambda c: services.milestone_add(actor=request.user, challenge=c, **form.cleaned_data),
        "已设定攻关节点。",
    )


@login_required
@require_POST
def milestone_done_view(request, pk):
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    form = MilestoneDoneForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_refused(request, milestone.challenge_id, form)
    return _done(
        request,
        milestone.challenge_id,
        lambda c: services.milestone_done(
            actor=request.user, milestone=milestone, **form.cleaned_data
        ),
        f"节点“{milestone.title}”已完成。",
    )


@login_required
def milestone_file_view(request, pk):
    milestone = selectors.milestone_get(user=request.user, pk=pk)
    if not milestone.evidence_file:
        raise Http404("没有佐证材料。")
    return attachment_response(
        milestone.evidence_file,
        actor=request.user,
        target=milestone,
        org_path=milestone.challenge.county.path,
    )


@login_required
@require_POST
def payment_view(request, pk):
    challenge = selectors.challenge_get(user=request.user, pk=pk)
    form = PaymentForm(request.POST, milestones=challenge.milestones.all())
    if not form.is_valid():
        return _form_refused(request, pk, form)
    data = dict(form.cleaned_data)
    milestone = selectors.milestone_get(user=request.user, pk=data.pop("milestone"))
    return _done(
        request,
        pk,
        lambda c: services.payment_record(
            actor=request.user, challenge=c, milestone=milestone, **data
        ),
        "已登记拨付。",
    )
