"""The household list's filters read from its query string, and its Excel export (联系户):
one reading for the page, the export at once and the export job in the worker."""

from django.db.models import QuerySet

from zuzhi.core.export_jobs import Export
from zuzhi.core.params import text_param
from zuzhi.core.personal import personal_view
from zuzhi.orgs.selectors import org_param

from . import selectors
from .models import Household

STATES = [
    ("", "全部"),
    (selectors.LINKED, "已联系"),
    (selectors.UNLINKED, "未联系"),
    (selectors.TO_RELINK, "待重新联系"),
]
EXPORT_HEADERS = [
    "社区（村）",
    "网格",
    "住址",
    "户主姓名",
    "户主公民身份号码",
    "联系电话",
    "家庭人口",
    "联系党员",
    "党员所在党组织",
    "备注",
]


def household_list_filtered(*, user, params) -> tuple[QuerySet[Household], dict]:
    """The households the list shows for its query string, and the filters as read (a
    community out of the user's scope is not found)."""
    state = params.get("state", "")
    filters = {
        "community": org_param(user=user, value=params.get("community")),
        "grid": text_param(params, "grid"),
        "link_state": state if state in dict(STATES) else "",
        "query": text_param(params, "q"),
    }
    return selectors.household_list(user=user, **filters), filters


def household_export(*, actor, params, where: str) -> Export:
    """联系户 as filtered, as Excel: personal data by the policy (masked unless the role sees
    it)."""
    qs, filters = household_list_filtered(user=actor, params=params)

    def rows():
        shown = personal_view(
            user=actor,
            objects=qs.select_related("member__organization").iterator(chunk_size=2000),
            where=where,
        )
        for h in shown:
            yield [
                h.community.name,
                h.grid,
                h.address,
                h.head_name,
                h.head_id_number,
                h.phone,
                h.people,
                h.member.name if h.member else "",
                h.member.organization.name if h.member else "",
                h.note,
            ]

    community = filters["community"]
    return Export(
        headers=EXPORT_HEADERS,
        rows=rows(),
        count=qs.count,
        filename="联系户",
        target_type="households.household",
        org_path=community.path if community else "",
    )
