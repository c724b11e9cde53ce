from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.contests.selectors import judge_stages
from zuzhi.core.scope import is_audit_admin, is_system_admin, user_roles
from zuzhi.home import cadre_self, home_charts, member_self, record_shortcuts, todo_items
from zuzhi.members.selectors import member_overview
from zuzhi.orgs.models import OrgType
from zuzhi.orgs.selectors import org_attention_counts, org_roots, org_type_counts
from zuzhi.recruitment.selectors import candidate_stage_counts


@login_required
def home(request):
    """首页: what the user has to do, counted and linked (待办); for the county and townships
    charts of their part of the tree; the tree with counts by type; or what an administrator
    does."""
    user = request.user
    roots = [
        (org, [(OrgType(k).label, n) for k, n in org_type_counts(user=user, org=org).items()])
        for org in org_roots(user=user)
    ]
    return render(
        request,
        "core/home.html",
        {
            "roots": roots,
            "is_sysadmin": is_system_admin(user),
            "is_auditor": is_audit_admin(user),
            "roles": sorted(user_roles(user)),
            "judging": list(judge_stages(user=user)[:20]),
            "overview": member_overview(user=user) if roots else None,
            "health_count": sum(r["any"] for _, r in org_attention_counts(user=user))
            if roots
            else 0,
            "candidates": candidate_stage_counts(user=user) if roots else [],
            "todo": todo_items(user=user),
            "shortcuts": record_shortcuts(user=user),
            "charts": home_charts(user=user) if roots else None,
            "cadre_self": cadre_self(user=user),
            "member_self": member_self(user=user),
            "cadre_staff": is_cadre_staff(user),
        },
    )


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
