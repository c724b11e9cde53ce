"""Account management pages for the system administrator (账号管理)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.scope import is_system_admin

from . import grants, services
from .admin_forms import AccountCreateForm, PasswordResetForm, RoleGrantForm
from .forms import TwoFactorResetForm
from .selectors import (
    account_get,
    account_list,
    account_role_grants,
    account_two_factor_resets,
    second_factor_enrolled,
)


def _require_sysadmin(request):
    if not is_system_admin(request.user):
        raise Http404("未找到该页面。")


@login_required
def account_list_view(request):
    _require_sysadmin(request)
    qs = account_list(user=request.user, q=request.GET.get("q") or None)
    if request.GET.get("export") == "xlsx":
        rows = [
            [
                u.username,
                u.full_name,
                "启用" if u.is_active else "停用",
                "；".join(
                    f"{a.get_role_display()}@{a.organization}" for a in u.role_assignments.all()
                ),
            ]
            for u in qs
        ]
        return xlsx_response(
            actor=request.user,
            filename="账号清单",
            headers=["用户名", "姓名", "状态", "角色"],
            rows=rows,
            target_type="accounts.user",
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/account_list.html", {"page": page, "q": request.GET.get("q", "")}
    )


@login_required
def account_create_view(request):
    _require_sysadmin(request)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"账号 {user.username} 已创建，请授予角色。")
            return redirect("accounts:account_detail", pk=user.pk)
    return render(request, "accounts/account_form.html", {"form": form})


def _detail(request, account, *, grant_form=None, reset_form=None):
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "grant_form": grant_form or RoleGrantForm(prefix="grant", user=request.user),
            "reset_form": reset_form or PasswordResetForm(prefix="reset"),
            "grants": account_role_grants(account=account),
            "two_factor_on": second_factor_enrolled(user=account),
            "two_factor_resets": account_two_factor_resets(account=account),
            "two_factor_reset_form": TwoFactorResetForm(),
        },
    )


def _account(request, pk):
    _require_sysadmin(request)
    return account_get(user=request.user, pk=pk)


@login_required
def account_detail_view(request, pk):
    return _detail(request, _account(request, pk))


@login_required
@require_POST
def account_grant_view(request, pk):
    """Ask for a business role; it takes effect once county staff approve it."""
    account = _account(request, pk)
    form = RoleGrantForm(request.POST, prefix="grant", user=request.user)
    if form.is_valid():
        try:
            grants.role_grant_request(
                actor=request.user,
                user=account,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "授权申请已提交，县委组织部工作人员审批后生效。")
            return redirect("accounts:account_detail", pk=account.pk)
    return _detail(request, account, grant_form=form)


@login_required
@require_POST
def account_revoke_view(request, pk, assignment):
    account = _account(request, pk)
    assignment = get_object_or_404(account.role_assignments, pk=assignment)
    try:
        grants.account_revoke_role(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "已撤销角色。")
    return redirect("accounts:account_detail", pk=account.pk)


def _set_active(request, pk, active: bool):
    account = _account(request, pk)
    try:
        services.account_set_active(actor=request.user, user=account, active=active)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "账号状态已更新。")
    return redirect("accounts:account_detail", pk=account.pk)


@login_required
@require_POST
def account_activate_view(request, pk):
    return _set_active(request, pk, True)


@login_required
@require_POST
def account_deactivate_view(request, pk):
    return _set_active(request, pk, False)


@login_required
@require_POST
def account_reset_password_view(request, pk):
    account = _account(request, pk)
    form = PasswordResetForm(request.POST, prefix="reset")
    if form.is_valid():
        try:
            suspended = services.account_reset_password(
                actor=request.user, user=account, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            for msg in exc.messages:
                form.add_error("new_password", msg)
        else:
            messages.success(
                request,
                "密码已重置，用户下次登录须修改密码；其接口令牌已全部失效。"
                + (
                    f"该账号的 {suspended} 个业务角色须经县委组织部工作人员重新审批后恢复。"
                    if suspended
                    else ""
                ),
            )
            return redirect("accounts:account_detail", pk=account.pk)
    return _detail(request, account, reset_form=form)


@login_required
@require_POST
def account_unlock_view(request, pk):
    account = _account(request, pk)
    services.account_unlock(actor=request.user, user=account)
    messages.success(request, "已解除登录锁定。")
    return redirect("accounts:account_detail", pk=account.pk)
