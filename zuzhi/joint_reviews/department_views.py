"""The county's settings of the joint review (联审部门设置): which departments take part and
which reviewer accounts answer for each. Thin over joint_reviews.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from zuzhi.core.params import id_param, text_param

from . import selectors as sel
from . import services


def _post(request) -> None:
    post, user = request.POST, request.user
    action = post.get("action")
    if action == "add":
        services.department_save(actor=user, name=text_param(post, "name"))
        messages.success(request, "已添加联审部门。")
    elif action == "toggle":
        department = sel.department_get(user=user, pk=id_param(post, "department"))
        services.department_save(
            actor=user, department=department, name=department.name, active=not department.active
        )
        messages.success(
            request, f"{department.name}已{'参与' if department.active else '停止参与'}联审。"
        )
    elif action == "assign":
        department = sel.department_get(user=user, pk=id_param(post, "department"))
        account = sel.reviewer_accounts(user=user).filter(pk=id_param(post, "user")).first()
        if account is None:
            raise ValidationError("请选择持有联审部门审核人角色的账号。")
        services.reviewer_department_assign(actor=user, user=account, department=department)
        messages.success(request, f"已指定{account.get_username()}为{department.name}审核人。")
    elif action == "remove":
        link = sel.reviewer_link_get(user=user, pk=id_param(post, "link"))
        services.reviewer_department_remove(actor=user, link=link)
        messages.success(request, "已取消该审核人。")


@login_required
def departments_view(request):
    departments = sel.departments_admin(user=request.user)
    if request.method == "POST":
        try:
            _post(request)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("joint_reviews:departments")
    return render(
        request,
        "joint_reviews/departments.html",
        {"departments": departments, "accounts": sel.reviewer_accounts(user=request.user)},
    )
