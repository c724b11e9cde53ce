from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from zuzhi.core.context import client_ip

from . import grants, login_flow, services, sessions
from .forms import CodeForm, GrantRefuseForm, LoginForm, PasswordChangeForm
from .models import SessionEnd
from .selectors import (
    LoginStep,
    approver_paths,
    login_history,
    password_set_by_administrator,
    recovery_codes_left,
    role_grant_get,
    role_grants_to_approve,
    second_factor_enrolled,
    second_factor_required,
    second_factor_step,
    sessions_active,
    token_get,
    token_list,
)


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_authenticate(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.LoginError as exc:
            form.add_error(None, str(exc))
        else:
            if second_factor_step(user=user) == LoginStep.CODE:
                login_flow.pending_start(request, user)
                next_page = urlencode({"next": login_flow.safe_next(request)})
                return redirect(f"{reverse('accounts:login_verify')}?{next_page}")
            login(request, user)
            login_flow.session_bind(request, user)
            return redirect(login_flow.safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "agent_changed": request.GET.get("ended") == "agent",
        },
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.logout_record(user=request.user)
        sessions.session_end(session_key=request.session.session_key, reason=SessionEnd.LOGOUT)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            for msg in exc.messages:
                form.add_error("new_password", msg)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, request.user)
            sessions.session_rekey(old_key=old_key, new_key=request.session.session_key)
            messages.success(request, "密码已修改，此前签发的接口令牌已全部失效。")
            return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "first_login": password_set_by_administrator(user=request.user),
            "expired": services.password_expired(user=request.user),
        },
    )


@login_required
def me_view(request):
    """我的账号: roles held, and the API tokens that are still valid, each revocable."""
    return render(
        request,
        "accounts/me.html",
        {
            "roles": request.user.role_assignments.select_related("organization"),
            "tokens": token_list(user=request.user),
            "two_factor_on": second_factor_enrolled(user=request.user),
            "two_factor_required": second_factor_required(user=request.user),
            "recovery_codes_left": recovery_codes_left(user=request.user),
            "code_form": CodeForm(),
            "sessions": sessions_active(user=request.user),
            "current_session": request.session.session_key,
            "history": login_history(user=request.user)[:20],
        },
    )


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = token_get(user=request.user, pk=pk)
    services.token_revoke(user=request.user, token_id=token.pk)
    messages.success(request, "令牌已撤销，使用它的程序须重新登录。")
    return redirect("accounts:me")


@login_required
@require_POST
def token_revoke_all_view(request):
    count = services.token_revoke(user=request.user)
    messages.success(request, f"已撤销 {count} 个接口令牌。")
    return redirect("accounts:me")


def _require_approver(request):
    if not approver_paths(user=request.user):
        raise Http404("未找到该页面。")


@login_required
def grant_list_view(request):
    """授权审批: business roles the system administrator asked for, waiting for county staff."""
    _require_approver(request)
    return render(
        request,
        "accounts/grant_list.html",
        {"grants": role_grants_to_approve(user=request.user), "refuse_form": GrantRefuseForm()},
    )


@login_required
@require_POST
def grant_approve_view(request, pk):
    _require_approver(request)
    grant = role_grant_get(user=request.user, pk=pk)
    try:
        grants.role_grant_approve(actor=request.user, grant=grant)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(
            request, f"已批准：{grant.user} 获得“{grant.get_role_display()}”角色，立即生效。"
        )
    return redirect("accounts:grant_list")


@login_required
@require_POST
def grant_refuse_view(request, pk):
    _require_approver(request)
    grant = role_grant_get(user=request.user, pk=pk)
    try:
        grants.role_grant_refuse(
            actor=request.user, grant=grant, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, f"已驳回 {grant.user} 的授权申请。")
    return redirect("accounts:grant_list")


@login_required
@require_POST
def session_revoke_view(request, pk):
    try:
        sessions.session_revoke(user=request.user, pk=pk, current_key=request.session.session_key)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "该会话已结束，使用它的浏览器须重新登录。")
    return redirect("accounts:me")


@login_required
@require_POST
def sessions_revoke_others_view(request):
    count = sessions.sessions_revoke_others(
        user=request.user, current_key=request.session.session_key
    )
    messages.success(request, f"已结束其他 {count} 个会话。")
    return redirect("accounts:me")
