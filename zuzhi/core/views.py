import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .export import xlsx_response
from .models import AuditAction
from .selectors import audit_list


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def audit_list_view(request):
    """The audit log (审计日志) within the user's scope; filters, paging and Excel export."""
    params = request.GET
    qs = audit_list(
        user=request.user,
        action=params.get("action") or None,
        actor=params.get("actor") or None,
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
    )
    if params.get("export") == "xlsx":
        rows = (
            [
                row.time.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                row.actor_username,
                row.get_action_display(),
                row.target_type,
                row.target_repr,
                row.ip or "",
                row.request_id,
                row.message,
            ]
            for row in qs.iterator(chunk_size=2000)
        )
        return xlsx_response(
            actor=request.user,
            filename="审计日志",
            headers=["时间", "操作人", "操作", "对象类型", "对象", "IP", "请求编号", "说明"],
            rows=rows,
            target_type="core.auditlog",
        )
    query = params.copy()
    query.pop("page", None)
    page = Paginator(qs, 50).get_page(params.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "filters": params,
            "query": query.urlencode(),
        },
    )
