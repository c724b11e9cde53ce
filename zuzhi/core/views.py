import datetime
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .access import may_read_audit_log
from .audit_display import audit_entries, entry_text, type_choices, type_label
from .export_jobs import Export, export_or_enqueue
from .models import AuditAction, AuditLog
from .params import text_param
from .personal import may_see_personal, personal_view
from .selectors import audit_list, audit_seal_numbers

EXPORT_HEADERS = [
    "时间",
    "操作人",
    "操作",
    "对象类型",
    "对象",
    "对象编号",
    "修改前",
    "修改后",
    "IP",
    "请求编号",
    "说明",
]
# Rows labelled at once in an export: the names they need are read in one query per batch.
EXPORT_BATCH = 500
FILTER_KEYS = ("action", "actor", "type", "id", "object", "from", "to")


def _filters(params) -> tuple[dict, list[str]]:
    """The audit filters from the query string, and a Chinese message for each bad one
    (a bad filter is dropped, never guessed)."""
    errors = []
    dates = {}
    for key, label in (("from", "起始日期"), ("to", "截止日期")):
        raw = text_param(params, key)
        try:
            dates[key] = datetime.date.fromisoformat(raw) if raw else None
        except ValueError:
            dates[key] = None
            errors.append(f"{label}“{raw}”不是有效日期，请按“年-月-日”填写。")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors.append("起始日期晚于截止日期，没有符合条件的记录。")
    action = text_param(params, "action")
    if action and action not in AuditAction.values:
        errors.append("没有这种操作类型。")
        action = ""
    filters = {
        "action": action or None,
        "actor": text_param(params, "actor") or None,
        "target_type": text_param(params, "type") or None,
        "target_id": text_param(params, "id") or None,
        "target_name": text_param(params, "object") or None,
        "date_from": dates["from"],
        "date_to": dates["to"],
    }
    return filters, errors


def _batches(rows: Iterable[AuditLog], size: int) -> Iterator[list[AuditLog]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def audit_export(*, actor, params, where: str) -> Export:
    """The audit log as filtered, as Excel: each row's before and after in labels, personal
    values by the policy. Only the roles that read the log may export it."""
    if not may_read_audit_log(actor):
        raise Http404("您的账号不能查看审计日志。")
    filters, _ = _filters(params)
    qs = audit_list(user=actor, **filters)

    def rows() -> Iterator[list]:
        shown = personal_view(user=actor, objects=qs.iterator(chunk_size=2000), where=where)
        for batch in _batches(shown, EXPORT_BATCH):
            for row, changes, has_before in audit_entries(user=actor, rows=batch):
                yield [
                    row.time.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                    row.actor_username,
                    row.get_action_display(),
                    type_label(row.target_type),
                    row.target_repr,
                    row.target_id,
                    entry_text(changes, "before") if has_before else "",
                    entry_text(changes, "after"),
                    row.ip or "",
                    row.request_id,
                    row.message,
                ]

    return Export(
        headers=EXPORT_HEADERS,
        rows=rows(),
        count=qs.count,
        filename="审计日志",
        target_type="core.auditlog",
    )


@login_required
def audit_list_view(request):
    """The audit log (审计日志) within the user's scope: each row's before and after in
    labels, filters by user, object, action and date, paging, and an Excel export of exactly
    the filtered rows. Personal values stay masked unless the role may see them and asks."""
    if not may_read_audit_log(request.user):
        raise Http404("您的账号不能查看审计日志。")
    if request.GET.get("export") == "xlsx":
        return export_or_enqueue(request, kind="audit")
    filters, errors = _filters(request.GET)
    qs = audit_list(user=request.user, **filters)
    query = request.GET.copy()
    for key in ("page", "export", "show"):
        query.pop(key, None)
    reveal = request.GET.get("show") == "full"
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = personal_view(user=request.user, objects=list(page), where=request.path, reveal=reveal)
    seals = audit_seal_numbers(rows=rows)
    for row in rows:
        row.seal_seq = seals.get(row.pk)
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "entries": audit_entries(user=request.user, rows=rows),
            "actions": AuditAction.choices,
            "types": type_choices(),
            "filters": {k: text_param(request.GET, k) for k in FILTER_KEYS},
            "object_label": type_label(filters["target_type"]) if filters["target_type"] else "",
            "errors": errors,
            "query": query.urlencode(),
            "can_unmask": may_see_personal(request.user) and not reveal,
        },
    )
