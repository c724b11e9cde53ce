import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .access import may_read_audit_log
from .paging import AuditChangeOut, AuditPage, Page
from .params import QueryText
from .selectors import audit_list

router = Router(tags=["审计日志"])


class AuditOut(Schema):
    id: int
    time: datetime.datetime
    actor: str = Field(..., alias="actor_username")
    ip: str | None
    request_id: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    before: dict | list | None
    after: dict | list | None
    changes: list[AuditChangeOut] = Field(
        ..., description="修改前后，按页面上的写法（代码显示为名称）"
    )
    message: str


class AuditFilters(Schema):
    action: QueryText | None = None
    actor: QueryText | None = None
    target_type: QueryText | None = None
    target_id: QueryText | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@router.get("", response=list[AuditOut], summary="审计日志（按权限范围）")
@paginate(Page, page_size=50)
def audit(request, filters: Query[AuditFilters]):
    """For the audit administrator (all rows) and county staff (rows in their scope)."""
    if not may_read_audit_log(request.user):
        raise Http404("您的账号不能查看审计日志。")
    # before/after hold whole snapshots (a member's ID number and phone included).
    return AuditPage(
        audit_list(user=request.user, **filters.dict()), user=request.user, where=request.path
    )
