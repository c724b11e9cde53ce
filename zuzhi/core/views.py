import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .export import xlsx_response
from .models import AuditAction
from .selectors import audit_list

EXPORT_HEADERS = ["时间", "操作人", "操作", "对象类型", "对象", "IP", "请求编号", "说明"]


def _text(params, name: str) -> str:
    # NUL cannot be compared by PostgreSQL; no username contains one.
    return (params.get(name) or "").replace("\x00", "").strip()


def _filters(params) -> tuple[dict, list[str]]:
    """The audit filters from the query string, and a Chinese message for each bad one
    (a bad filter is dropped, never guessed)."""
    errors = []
    dates = {}
    for key, label in (("from", "起始日期"), ("to", "截止日期")):
        raw = _text(params, key)
        try:
            dates[key] = datetime.date.fromisoformat(raw) if raw else None
        except ValueError:
            dates[key] = None
            errors.append(f"{label}“{raw}”不是有效日期，请按“年-月-日”填写。")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors.append("起始日期晚于截止日期，没有符合条件的记录。")
    action = _text(params, "action")
    if action and action not in AuditAction.values:
        errors.append("没有这种操作类型。")
        action = ""
    filters = {
        "action": action or None,
        "actor": _text(params, "actor") or None,
        "date_from": dates["from"],
        "date_to": dates["to"],
    }
    return filters, errors


@login_required
def audit_list_view(request):
    """The audit log (审计日志) within the user's scope; filters, paging and Excel export of
    exactly the filtered rows."""
    filters, errors = _filters(request.GET)
    qs = audit_list(user=request.user, **filters)
    if request.GET.get("export") == "xlsx":
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
            headers=EXPORT_HEADERS,
            rows=rows,
            target_type="core.auditlog",
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "filters": {k: _text(request.GET, k) for k in ("action", "actor", "from", "to")},
            "errors": errors,
            "query": query.urlencode(),
        },
    )
