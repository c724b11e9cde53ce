"""The organization list's filters read from its query string, and its Excel export
(党组织列表): one reading for the page, the export at once and the export job in the worker."""

from django.db.models import QuerySet

from zuzhi.core.export_jobs import Export
from zuzhi.core.params import id_param, text_param
from zuzhi.core.personal import personal_view

from . import selectors
from .models import Organization

EXPORT_HEADERS = [
    "组织代码",
    "组织名称",
    "组织类型",
    "单位类别",
    "上级组织代码",
    "上级组织",
    "书记",
    "书记电话",
    "成立日期",
    "本届任期开始",
    "本届任期届满",
    "行政区划代码",
    "地址",
]


def org_list_filtered(*, user, params) -> QuerySet[Organization]:
    """The organizations the list shows for its query string (a `within` out of the user's
    scope is not found)."""
    return selectors.org_list(
        user=user,
        q=text_param(params, "q") or None,
        org_type=text_param(params, "org_type") or None,
        unit_category=text_param(params, "unit_category") or None,
        within=id_param(params, "within"),
        parent=id_param(params, "parent"),
    )


def _export_row(org: Organization) -> list:
    return [
        org.code,
        org.name,
        org.get_org_type_display(),
        org.get_unit_category_display(),
        org.parent.code if org.parent else "",
        org.parent.name if org.parent else "",
        org.secretary_name,
        org.secretary_phone,
        org.founded_on,
        org.term_start,
        org.term_end,
        org.division_code,
        org.address,
    ]


def org_export(*, actor, params, where: str) -> Export:
    """党组织列表 as Excel: exactly the filtered rows, the secretaries' phones by the policy."""
    qs = org_list_filtered(user=actor, params=params)

    def rows():
        shown = personal_view(user=actor, objects=qs.iterator(chunk_size=2000), where=where)
        for org in shown:
            yield _export_row(org)

    return Export(
        headers=EXPORT_HEADERS,
        rows=rows(),
        count=qs.count,
        filename="党组织列表",
        target_type="orgs.organization",
    )
