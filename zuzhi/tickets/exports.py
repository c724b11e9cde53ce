"""The ticket list's filters read from its query string, and its Excel export (联户服务诉求):
one reading for the page, the export at once and the export job in the worker."""

from django.db.models import QuerySet
from django.utils import timezone

from zuzhi.core.export_jobs import Export
from zuzhi.core.personal import personal_view

from . import selectors
from .forms import TicketFilterForm
from .models import Ticket

EXPORT_HEADERS = [
    "提交时间",
    "社区（村）",
    "网格",
    "住址",
    "户主",
    "联系电话",
    "类型",
    "来源",
    "诉求内容",
    "状态",
    "责任党员",
    "服务团队",
    "受理期限",
    "受理时间",
    "办结期限",
    "办结时间",
    "上报层级",
    "重新办理次数",
    "满意度",
]


def ticket_list_filtered(*, user, params) -> tuple[TicketFilterForm, QuerySet[Ticket]]:
    """The filter form as filled in from the query string, and the tickets the list shows."""
    form = TicketFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.ticket_list(
        user=user,
        state=data.get("state") or None,
        type_id=data["type"].pk if data.get("type") else None,
        overdue=bool(data.get("overdue")),
        escalated=bool(data.get("escalated")),
    )
    return form, qs


def _when(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def ticket_export(*, actor, params, where: str) -> Export:
    """联户服务诉求 as filtered, as Excel; the phones masked for every role."""
    _, qs = ticket_list_filtered(user=actor, params=params)

    def rows():
        shown = personal_view(
            user=actor, objects=qs.iterator(chunk_size=2000), where=where, reveal=False
        )
        for t in shown:
            yield [
                _when(t.created_at),
                t.household.community.name,
                t.household.grid,
                t.household.address,
                t.household.head_name,
                t.contact_phone,
                t.type.name,
                t.get_channel_display(),
                t.description,
                t.get_state_display(),
                t.member.name if t.member_id else "",
                t.team.name if t.team_id else "",
                _when(t.accept_due),
                _when(t.accepted_at),
                _when(t.resolve_due),
                _when(t.resolved_at),
                t.get_escalation_display(),
                t.reopened,
                t.get_rating_display(),
            ]

    return Export(
        headers=EXPORT_HEADERS,
        rows=rows(),
        count=qs.count,
        filename="联户服务诉求",
        target_type="tickets.ticket",
    )
