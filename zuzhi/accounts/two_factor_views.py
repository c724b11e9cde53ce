"""Two-factor login pages (两步验证): the code step of the login, binding an authenticator
app, recovery codes, and the administrators' reset with a second person's approval."""

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zuzhi.core.context import client_ip
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role

from . import login_flow, two_factor
from .forms import BindForm, CodeForm, TwoFactorResetForm
from .models import RecoveryCodeDevice
from .selectors import (
    account_get,
    authenticator_unconfirmed,
    recovery_codes_left,
    second_factor_enrolled,
    second_factor_required,
    two_factor_reset_get,
    two_factor_resets_to_decide,
)
from .services import LoginError


@never_cache
def login_verify_view(request):
    """第二步：输入验证码. For a login whose password was just given, or for a session opened
    before the account bound its app."""
    user = login_flow.pending_user(request)
    if user is None and request.user.is_authenticated and not request.user.is_verified():
        user = request.user
    if user is None or not second_factor_enrolled(user=user):
        messages.info(request, "验证已超时，请重新输入用户名和密码。")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.second_factor_check(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except LoginError as exc:
            form.add_error("code", str(exc))
        else:
            if not request.user.is_authenticated or request.user.pk != user.pk:
                login(request, user, backend=login_flow.pending_backend(request))
                login_flow.session_bind(request, user)
            login_flow.pending_end(request)
            django_otp.login(request, device)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    f"已用恢复码登录，还剩 {recovery_codes_left(user=user)} 个。"
                    "手机丢失请联系系统管理员重置两步验证。",
                )
            return redirect(login_flow.safe_next(request))
    return render(
        request,
        "accounts/login_verify.html",
        {
            "form": form,
            "next": login_flow.safe_next(request),
            "account": user,
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


def _qr_svg(device) -> str:
    # segno draws the SVG itself from the URL it encodes: nothing of the user's is echoed.
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


@login_required
@never_cache
def two_factor_setup_view(request):
    """绑定身份验证器: the QR code of a new secret, then a code from the app to confirm."""
    enrolled = second_factor_enrolled(user=request.user)
    form = BindForm(request.POST or None, rebinding=enrolled)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.authenticator_confirm(
                user=request.user,
                device_id=request.POST.get("device"),
                code=form.cleaned_data["code"],
                current_code=form.cleaned_data.get("current_code", ""),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            django_otp.login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "first": not enrolled}
            )
        device = authenticator_unconfirmed(user=request.user, device_id=request.POST.get("device"))
    else:
        device = None
    if device is None:
        device = two_factor.authenticator_start(user=request.user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "device": device,
            "qr": _qr_svg(device),
            "secret": two_factor.authenticator_secret(device=device),
            "required": second_factor_required(user=request.user),
            "enrolled": enrolled,
        },
    )


@login_required
@require_POST
def recovery_codes_renew_view(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor.recovery_codes_renew(
                user=request.user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first": False})
    return redirect("accounts:me")


@login_required
@require_POST
def two_factor_disable_view(request):
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.two_factor_disable(
                user=request.user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, "已关闭两步验证。")
    return redirect("accounts:me")


def _require_reset_approver(request):
    if not has_role(request.user, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        raise Http404("未找到该页面。")


@login_required
def reset_list_view(request):
    """两步验证重置审批: requests a second administrator approves."""
    _require_reset_approver(request)
    return render(
        request,
        "accounts/two_factor_resets.html",
        {"resets": two_factor_resets_to_decide(user=request.user)},
    )


@login_required
@require_POST
def reset_request_view(request, pk):
    if not has_role(request.user, Role.SYSTEM_ADMIN):
        raise Http404("未找到该页面。")
    account = account_get(user=request.user, pk=pk)
    form = TwoFactorResetForm(request.POST)
    if form.is_valid():
        try:
            two_factor.reset_request(
                actor=request.user, user=account, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(
                request, "重置申请已提交，须由另一名系统管理员或审计管理员批准后生效。"
            )
    else:
        messages.error(request, "请填写重置原因。")
    return redirect("accounts:account_detail", pk=account.pk)


def _decide(request, pk, decide, done: str):
    _require_reset_approver(request)
    reset = two_factor_reset_get(user=request.user, pk=pk)
    try:
        decide(actor=request.user, reset=reset)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, done.format(user=reset.user))
    return redirect("accounts:two_factor_resets")


@login_required
@require_POST
def reset_approve_view(request, pk):
    return _decide(
        request,
        pk,
        two_factor.reset_approve,
        "已批准：{user} 的两步验证已清除，下次登录须重新绑定。",
    )


@login_required
@require_POST
def reset_refuse_view(request, pk):
    return _decide(request, pk, two_factor.reset_refuse, "已驳回 {user} 的两步验证重置申请。")
