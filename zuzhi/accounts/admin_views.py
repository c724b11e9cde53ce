"""Account management pages for the system administrator (账号管理)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from zuzhi.core.export import xlsx_response
from zuzhi.core.forms import apply_service_errors
from zuzhi.core.scope import is_system_admin
from zuzhi.orgs.models import Organization

from . import services
from .admin_forms import AccountCreateForm, PasswordResetForm, RoleGrantForm
from .selectors import account_get, account_list


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


@login_required
def account_detail_view(request, pk):
    _require_sysadmin(request)
    account = account_get(user=request.user, pk=pk)
    grant_form = RoleGrantForm(prefix="grant")
    reset_form = PasswordResetForm(prefix="reset")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "grant":
                grant_form = RoleGrantForm(request.POST, prefix="grant")
                if grant_form.is_valid():
                    org = Organization.objects.filter(
                        code=grant_form.cleaned_data["org_code"]
                    ).first()
                    if org is None:
                        raise ValidationError({"org_code": ["组织代码不存在。"]})
                    services.account_grant_role(
                        actor=request.user,
                        user=account,
                        role=grant_form.cleaned_data["role"],
                        organization=org,
                    )
                    messages.success(request, "已授予角色。")
                    return redirect("accounts:account_detail", pk=account.pk)
            elif action == "revoke":
                assignment = get_object_or_404(
                    account.role_assignments, pk=request.POST.get("assignment")
                )
                services.account_revoke_role(actor=request.user, assignment=assignment)
                messages.success(request, "已撤销角色。")
                return redirect("accounts:account_detail", pk=account.pk)
            elif action in ("activate", "deactivate"):
                services.account_set_active(
                    actor=request.user, user=account, active=action == "activate"
                )
                messages.success(request, "账号状态已更新。")
                return redirect("accounts:account_detail", pk=account.pk)
            elif action == "reset":
                reset_form = PasswordResetForm(request.POST, prefix="reset")
                if reset_form.is_valid():
                    services.account_reset_password(
                        actor=request.user,
                        user=account,
                        new_password=reset_form.cleaned_data["new_password"],
                    )
                    messages.success(request, "密码已重置，用户下次登录须修改密码。")
                    return redirect("accounts:account_detail", pk=account.pk)
            elif action == "unlock":
                services.account_unlock(actor=request.user, user=account)
                messages.success(request, "已解除登录锁定。")
                return redirect("accounts:account_detail", pk=account.pk)
        except ValidationError as exc:
            target = reset_form if action == "reset" else grant_form
            apply_service_errors(target, exc)
            if action not in ("grant", "reset"):
                for msg in exc.messages:
                    messages.error(request, msg)
    return render(
        request,
        "accounts/account_detail.html",
        {"account": account, "grant_form": grant_form, "reset_form": reset_form},
    )
