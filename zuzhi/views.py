from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.contests.selectors import judge_stages
from zuzhi.core.scope import is_audit_admin, is_system_admin, user_roles
from zuzhi.dashboard.selectors import home_figures, kept_home
from zuzhi.dashboard.services import home_figures_request
from zuzhi.home import cadre_self, member_self, record_shortcuts


@login_required
def home(request):
    """首页: what the user has to do, counted and linked (待办); for the county and townships
    charts of their part of the tree; the tree with counts by type; or what an administrator
    does. A wide scope's figures are read as the worker kept them (`dashboard`)."""
    user = request.user
    kept = kept_home(user=user)
    figures = kept.figures if kept else home_figures(user=user)
    return render(
        request,
        "core/home.html",
        {
            **figures,
            "kept": kept,
            "is_sysadmin": is_system_admin(user),
            "is_auditor": is_audit_admin(user),
            "roles": sorted(user_roles(user)),
            "judging": list(judge_stages(user=user)[:20]),
            "shortcuts": record_shortcuts(user=user),
            "cadre_self": cadre_self(user=user),
            "member_self": member_self(user=user),
            "cadre_staff": is_cadre_staff(user),
        },
    )


@login_required
@require_POST
def home_refresh(request):
    """立即更新: ask the worker to recount the user's kept home figures."""
    outcome = home_figures_request(user=request.user)
    if outcome == "requested":
        messages.success(request, "已开始重新统计首页数据，约需几分钟，请稍后刷新本页。")
    elif outcome == "pending":
        messages.info(request, "首页数据正在重新统计，请稍后刷新本页。")
    else:
        messages.info(request, "您的首页数据为实时统计，无需重新统计。")
    return redirect("home")


def not_found(request, exception=None):
    # An API client gets the API's JSON error shape for a URL no route matches (including
    # /api/orgs/abc: the int converter in the route refuses it before ninja sees it).
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "未找到该对象。", "errors": {}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "服务器内部错误，请稍后再试。", "errors": {}}, status=500)
    return render(request, "500.html", status=500)
