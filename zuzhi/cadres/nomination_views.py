"""Pages of a cadre's own account (我的干部信息), self-nominations (自荐) and correction
requests (更正申请): thin adapters over nomination_selectors and nomination_services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.core.uploads import attachment_response

from . import nomination_selectors as sel
from . import nomination_services as services
from .models import CORRECTABLE_FIELDS, NominationStatus, NominationTarget
from .models.scoping import is_cadre_staff

# Another part builds the training pages; the cadre's own progress lives there.
TRAINING_MINE_URL = "/training/mine/"


class NominationForm(forms.Form):
    target_kind = forms.ChoiceField(label="自荐类别", choices=NominationTarget.choices)
    target = forms.CharField(
        label="自荐的职位、职级或后备干部库",
        max_length=128,
        help_text="如：城关镇党委副书记、二级主任科员、乡科级正职后备干部。",
    )
    statement = forms.CharField(
        label="自荐理由", max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    evidence = forms.CharField(
        label="佐证材料说明",
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence_file = forms.FileField(
        label="佐证材料文件",
        required=False,
        help_text="可上传 pdf、jpg、png、doc(x)、xls(x)、txt。",
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="更正项目", choices=list(CORRECTABLE_FIELDS.items()))
    requested_value = forms.CharField(label="应更正为", max_length=255)
    reason = forms.CharField(
        label="更正理由", max_length=services.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def mine_view(request):
    """我的干部信息: the cadre's own record, read-only, with what they can ask for."""
    record = sel.my_record(user=request.user)
    if record is None:
        raise Http404("本账号没有对应的干部信息。")
    return _mine(request, record, CorrectionForm())


def _mine(request, record, correction_form):
    fields = sel.record_fields(record["cadre"])
    return render(
        request,
        "cadres/nominations/mine.html",
        {
            **record,
            "fields": fields,
            "correction_form": correction_form,
            "training_url": TRAINING_MINE_URL,
        },
    )


@login_required
@require_POST
def correction_create_view(request):
    record = sel.my_record(user=request.user)
    if record is None:
        raise Http404("本账号没有对应的干部信息。")
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_submit(
                actor=request.user, cadre=record["cadre"], **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "更正申请已提交，干部科处理后可在本页查看结果。")
            return redirect("cadres:mine")
    return _mine(request, record, form)


@login_required
def nomination_list_view(request):
    """干部自荐: mine, those waiting for my unit's opinion, those the cadre section decides."""
    status = request.GET.get("status") or ""
    visible = sel.nomination_visible(user=request.user)
    if status in NominationStatus.values:
        visible = visible.filter(status=status)
    page = Paginator(visible, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/nominations/list.html",
        {
            "has_cadre": sel.my_cadre(user=request.user) is not None,
            "for_opinion": list(sel.nominations_for_opinion(user=request.user)[:50]),
            "to_decide": list(sel.nominations_to_decide(user=request.user)[:50]),
            "page": page,
            "status": status,
            "query": urlencode({"status": status}) if status else "",
            "statuses": NominationStatus.choices,
        },
    )


@login_required
def nomination_create_view(request):
    cadre = sel.my_cadre(user=request.user)
    if cadre is None:
        raise Http404("本账号没有对应的干部信息。")
    form = NominationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = services.self_nomination_submit(
                actor=request.user, cadre=cadre, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "自荐已提交，待所在单位提出意见。")
            return redirect("cadres:nomination_detail", nomination_id=nomination.pk)
    return render(request, "cadres/nominations/form.html", {"form": form, "cadre": cadre})


@login_required
def nomination_detail_view(request, nomination_id):
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    user = request.user
    is_own = nomination.cadre.user_id == user.pk
    is_open = nomination.status in sel.OPEN_STATUSES
    may_decide = (
        not is_own
        and sel.is_cadre_section_of(user=user, cadre=nomination.cadre)
        and sel.nominations_to_decide(user=user).filter(pk=nomination.pk).exists()
    )
    return render(
        request,
        "cadres/nominations/detail.html",
        {
            "nomination": nomination,
            "is_own": is_own,
            "may_withdraw": is_own and is_open,
            "may_opine": (
                not is_own
                and nomination.status == NominationStatus.SUBMITTED
                and sel.is_unit_leader(user=user, nomination=nomination)
            ),
            "may_decide": may_decide,
        },
    )


@login_required
def nomination_evidence_view(request, nomination_id):
    """The evidence file, to those who see the nomination; every download audited."""
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    return attachment_response(
        nomination.evidence_file,
        actor=request.user,
        target=nomination,
        org_path=services.AUDIT_ORG_PATH,
        filename=nomination.evidence_name,
    )


def _act(request, nomination_id, action, done: str):
    nomination = sel.nomination_get(user=request.user, pk=nomination_id)
    try:
        action(nomination)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("cadres:nomination_detail", nomination_id=nomination.pk)


@login_required
@require_POST
def nomination_withdraw_view(request, nomination_id):
    return _act(
        request,
        nomination_id,
        lambda n: services.self_nomination_withdraw(actor=request.user, nomination=n),
        "自荐已撤回。",
    )


@login_required
@require_POST
def nomination_opinion_view(request, nomination_id):
    return _act(
        request,
        nomination_id,
        lambda n: services.self_nomination_unit_opinion(
            actor=request.user, nomination=n, opinion=request.POST.get("opinion", "")
        ),
        "单位意见已提交，待干部科审核。",
    )


@login_required
@require_POST
def nomination_accept_view(request, nomination_id):
    return _act(
        request,
        nomination_id,
        lambda n: services.self_nomination_decide(
            actor=request.user, nomination=n, accept=True, reason=request.POST.get("reason", "")
        ),
        "已纳入考察视野。",
    )


@login_required
@require_POST
def nomination_decline_view(request, nomination_id):
    return _act(
        request,
        nomination_id,
        lambda n: services.self_nomination_decide(
            actor=request.user, nomination=n, accept=False, reason=request.POST.get("reason", "")
        ),
        "已决定不予采纳，理由已告知自荐人。",
    )


@login_required
def correction_list_view(request):
    """The cadre section's queue of correction requests (更正申请)."""
    if not is_cadre_staff(request.user):
        raise Http404
    pending = sel.corrections_pending(user=request.user)
    return render(request, "cadres/nominations/corrections.html", {"pending": list(pending[:200])})


def _handle(request, correction_id, corrected: bool, done: str):
    correction = sel.correction_get(user=request.user, pk=correction_id)
    try:
        services.correction_request_handle(
            actor=request.user,
            correction=correction,
            corrected=corrected,
            reply=request.POST.get("reply", ""),
        )
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("cadres:corrections")


@login_required
@require_POST
def correction_corrected_view(request, correction_id):
    return _handle(request, correction_id, True, "已标记为已更正。")


@login_required
@require_POST
def correction_refused_view(request, correction_id):
    return _handle(request, correction_id, False, "已告知申请人不予更正的理由。")
