"""Party dues pages: a member's yearly ledger, arrears, and exemptions awaiting approval."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zuzhi.core.export_jobs import export_or_enqueue
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.money import yuan
from zuzhi.members.selectors import member_get

from . import selectors, services
from .rules import DuesBasisKind


def fen(value: str) -> int | None:
    """ "3000.01" yuan → 300001 fen; None when empty or not a number."""
    try:
        return (
            int((Decimal(value.strip()) * 100).to_integral_value())
            if value and value.strip()
            else None
        )
    except InvalidOperation:
        return None


class BasisForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=DuesBasisKind.choices)
    income = forms.CharField(label="税后月收入（元）", required=False)
    farmer = forms.CharField(label="农民党员月交（元，0.2–1）", required=False)


class PaymentForm(forms.Form):
    month = forms.DateField(
        label="所属月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"]
    )
    amount = forms.CharField(label="金额（元）")
    paid_on = forms.DateField(label="交纳日期", widget=forms.DateInput(attrs={"type": "date"}))


class ExemptionForm(forms.Form):
    first_month = forms.DateField(
        label="起始月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"]
    )
    last_month = forms.DateField(
        label="截止月份", widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"]
    )
    amount = forms.CharField(label="减免后月交（元）", initial="0")
    reason = forms.CharField(label="原因", max_length=200)


# The services speak in fen; the forms take yuan.
FORM_FIELDS = {"amount_fen": "amount", "monthly_fen": "amount", "income_fen": "income"}


@login_required
def ledger_view(request, member_pk):
    """党费台账: twelve months of one member, with forms to set the basis and record payments."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    member = member_get(user=request.user, pk=member_pk)
    basis_form, payment_form, exemption_form = (
        BasisForm(prefix="b"),
        PaymentForm(prefix="p"),
        ExemptionForm(prefix="e"),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "basis":
                basis_form = BasisForm(request.POST, prefix="b")
                if basis_form.is_valid():
                    d = basis_form.cleaned_data
                    services.dues_basis_set(
                        actor=request.user,
                        member=member,
                        year=year,
                        kind=d["kind"],
                        income_fen=fen(d["income"]),
                        farmer_fen=fen(d["farmer"]),
                    )
                    messages.success(request, "已核定党费。")
                    return redirect(f"{request.path}?year={year}")
            elif action == "payment":
                payment_form = PaymentForm(request.POST, prefix="p")
                if payment_form.is_valid():
                    d = payment_form.cleaned_data
                    amount = fen(d["amount"])
                    if amount is None:
                        raise ValidationError({"amount": ["请填写金额。"]})
                    services.dues_payment_record(
                        actor=request.user,
                        member=member,
                        month=d["month"],
                        amount_fen=amount,
                        paid_on=d["paid_on"],
                    )
                    messages.success(request, "已登记党费。")
                    return redirect(f"{request.path}?year={year}")
            elif action == "exemption":
                exemption_form = ExemptionForm(request.POST, prefix="e")
                if exemption_form.is_valid():
                    d = exemption_form.cleaned_data
                    services.dues_exemption_request(
                        actor=request.user,
                        member=member,
                        first_month=d["first_month"],
                        last_month=d["last_month"],
                        monthly_fen=fen(d["amount"]) or 0,
                        reason=d["reason"],
                    )
                    messages.success(request, "已提交减免申请，待上一级党组织审批。")
                    return redirect(f"{request.path}?year={year}")
        except ValidationError as exc:
            target = {
                "basis": basis_form,
                "payment": payment_form,
                "exemption": exemption_form,
            }.get(action, basis_form)
            apply_service_errors(target, exc, rename=FORM_FIELDS)
    ledger = selectors.dues_ledger(user=request.user, member_pk=member.pk, year=year)
    basis = member.dues_bases.filter(year=year).first()
    months = [
        (m["month"], yuan(m["due_fen"]) if m["due_fen"] is not None else "未核定", m["payment"])
        for m in ledger["months"]
    ]
    return render(
        request,
        "dues/ledger.html",
        {
            "member": member,
            "year": year,
            "months": months,
            "basis": basis,
            "basis_yuan": yuan(basis.monthly_fen) if basis else "",
            "basis_form": basis_form,
            "payment_form": payment_form,
            "exemption_form": exemption_form,
        },
    )


@login_required
def arrears_view(request):
    """连续 6 个月未交纳党费的党员."""
    if request.GET.get("export") == "xlsx":
        return export_or_enqueue(request, kind="dues_arrears")
    rows = selectors.dues_arrears(user=request.user)
    exemptions = selectors.exemption_pending(user=request.user)
    return render(
        request,
        "dues/arrears.html",
        {"rows": rows[:500], "count": rows.count(), "exemptions": exemptions},
    )


@login_required
@require_POST
def exemption_decide_view(request, pk):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    try:
        services.dues_exemption_decide(
            actor=request.user, exemption=exemption, approve=request.POST.get("approve") == "1"
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "已审批。")
    return redirect("dues:arrears")
