from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import AuditAction
from .selectors import audit_list


@login_required
def audit_list_view(request):
    """The audit log (审计日志), filtered by action and actor."""
    qs = audit_list(
        user=request.user,
        action=request.GET.get("action") or None,
        actor=request.GET.get("actor") or None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {"page": page, "actions": AuditAction.choices, "filters": request.GET},
    )
