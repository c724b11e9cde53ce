"""Transfer pages (组织关系转接): send with a confirmation, the lists of both sides, the
introduction letter, receive or return."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zuzhi.core.forms import apply_service_errors
from zuzhi.orgs.models import Organization

from . import letters, selectors, services
from .forms import (
    DecisionForm,
    TransferForm,
)


def _transfer_checked(request, member, form) -> Organization | None:
    """The target of a valid transfer form whose rules hold, else None with the errors on
    the form."""
    if not form.is_valid():
        return None
    # The receiving side may be outside the user's scope: chosen county-wide by name.
    to_org = form.cleaned_data["to_org_code"]
    try:
        services.member_transfer_check(
            actor=request.user,
            member=member,
            to_org=to_org,
            transfer_date=form.cleaned_data["transfer_date"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        apply_service_errors(form, exc, rename={"to_org": "to_org_code"})
        return None
    return to_org


@login_required
def member_transfer_view(request, pk):
    """转出, step 1: the form; a valid one is shown back for confirmation, nothing sent yet.
    Back from the confirmation (返回修改) the form comes filled in from the query."""
    member = selectors.member_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = TransferForm(request.POST, user=request.user)
        to_org = _transfer_checked(request, member, form)
        if to_org is not None:
            return render(
                request,
                "members/member_transfer_confirm.html",
                {
                    "member": member,
                    "form": form,
                    "to_org_name": to_org.name,
                    "to_township": selectors.transfer_target_township(to_org=to_org),
                },
            )
    else:
        form = TransferForm(user=request.user)
        form.initial = {k: v for k, v in request.GET.items() if k in form.fields}
    return render(request, "members/member_transfer.html", {"member": member, "form": form})


@login_required
def member_transfer_confirm_view(request, pk):
    """转出, step 2: the confirmed transfer is sent (the service checks and audits it)."""
    member = selectors.member_get(user=request.user, pk=pk)
    if request.method != "POST":
        return redirect("members:transfer", pk=member.pk)
    form = TransferForm(request.POST, user=request.user)
    to_org = _transfer_checked(request, member, form)
    if to_org is not None:
        try:
            transfer = services.member_transfer(
                actor=request.user,
                member=member,
                to_org=to_org,
                transfer_date=form.cleaned_data["transfer_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, rename={"to_org": "to_org_code"})
        else:
            if transfer.status == "accepted":
                messages.success(request, f"已转入“{to_org.name}”。")
                return redirect("members:detail", pk=member.pk)
            messages.success(request, f"已发出转接，待“{to_org.name}”接收；请打印组织关系介绍信。")
            return redirect("members:transfers")
    return render(request, "members/member_transfer.html", {"member": member, "form": form})


@login_required
def transfer_list_view(request):
    """组织关系转接: the pending ones to receive and sent (待办理), or those finished either
    way (已办结), paginated, with the date each was finished."""
    tabs = {"pending": "待办理", "done": "已办结"}
    to_receive = selectors.transfers_to_receive_count(user=request.user)
    if to_receive:
        tabs["pending"] += f"（{to_receive} 待接收）"
    if request.GET.get("tab") == "done":
        status = request.GET.get("status") or None
        page = Paginator(
            selectors.transfer_done_list(user=request.user, status=status), 50
        ).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "members/transfer_list.html",
            {
                "tab": "done",
                "tabs": tabs,
                "page": page,
                "query": query.urlencode(),
                "status": status,
                "statuses": [(s.value, s.label) for s in selectors.TRANSFER_DONE],
            },
        )
    return render(
        request,
        "members/transfer_list.html",
        {
            "tab": "pending",
            "tabs": tabs,
            "incoming": selectors.transfer_list(user=request.user, direction="incoming"),
            "outgoing": selectors.transfer_list(user=request.user, direction="outgoing"),
            "form": DecisionForm(),
        },
    )


@login_required
@require_GET
def transfer_letter_view(request, pk):
    """组织关系介绍信 (PDF), for the sending and the receiving side."""
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    try:
        return letters.transfer_letter_download(
            user=request.user, transfer=transfer, where=request.path
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect(f"{reverse('members:transfers')}?tab=done")


@login_required
@require_POST
def transfer_decide_view(request, pk, action):
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.data.get("note", "")
    try:
        if action == "accept":
            services.member_transfer_decide(
                actor=request.user, transfer=transfer, accept=True, note=note
            )
            messages.success(request, f"已接收党员 {transfer.member.name}。")
        elif action == "reject":
            services.member_transfer_decide(
                actor=request.user, transfer=transfer, accept=False, note=note
            )
            messages.success(request, "已退回。")
        elif action == "cancel":
            services.member_transfer_cancel(actor=request.user, transfer=transfer)
            messages.success(request, "已撤销。")
        else:
            raise Http404
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    return redirect("members:transfers")
