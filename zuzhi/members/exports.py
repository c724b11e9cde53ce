"""The member list's filters read from its query string, and its Excel export (党员名册):
one reading for the page, the export at once and the export job in the worker."""

from django.db.models import QuerySet

from zuzhi.core.codes import code_map
from zuzhi.core.export_jobs import Export
from zuzhi.core.fields import with_companions
from zuzhi.core.params import object_id, text_param
from zuzhi.core.personal import personal_view
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_param

from . import selectors
from .models import Member, MemberCategory, MemberStatus, member_date_display
from .services.rules import EDITABLE_FIELDS

GENDERS = {"1": "男", "2": "女"}
# At most this many members may be ticked on a page and sent in one link.
MAX_CHOSEN = 500
EXPORT_HEADERS = [
    "姓名",
    "公民身份号码",
    "性别",
    "民族",
    "出生日期",
    "学历",
    "入党日期",
    "转正日期",
    "党员状态",
    "所在党组织代码",
    "所在党组织",
    "人员类别",
    "联系电话",
    "工作单位及职务",
]


# The columns the export reads (a million members are read without the rest), the masked
# copies of encrypted ones included (a masked export decrypts nothing); the organization's
# path is read by the personal-data policy.
EXPORT_FIELDS = (
    *with_companions(Member, EDITABLE_FIELDS),
    "organization__code",
    "organization__name",
    "organization__path",
)


def member_list_filtered(*, user, params) -> tuple[QuerySet, Organization | None]:
    """The members the list shows for its query string, and the organization it is within
    (an organization out of the user's scope, or an id that is no id, is not found)."""
    within = org_param(user=user, value=params.get("org"))
    chosen = [pk for v in params.getlist("member")[:MAX_CHOSEN] if (pk := object_id(v))]
    qs = selectors.member_list(
        user=user,
        q=text_param(params, "q") or None,
        within=within,
        status=text_param(params, "status") or None,
        category=text_param(params, "category") or None,
        gender=text_param(params, "gender") or None,
        education=text_param(params, "education") or None,
        age_band=text_param(params, "age") or None,
        ids=chosen or None,
        sort=text_param(params, "sort") or None,
    )
    return qs, within


def _export_date(day, month_only: bool):
    """A full date stays a date cell (yyyy-mm-dd); a month-only one is the text `1985.03`,
    so that no spreadsheet shows its placeholder day."""
    return member_date_display(day, month_only) if month_only else day


def member_export(*, actor, params, where: str) -> Export:
    """党员名册 as Excel: the members ticked on the page or, none ticked, all that the filters
    find, personal data by the policy."""
    qs, within = member_list_filtered(user=actor, params=params)
    ethnicities, educations = code_map("GB3304"), code_map("ZB64")
    statuses, categories = dict(MemberStatus.choices), dict(MemberCategory.choices)

    def rows():
        members = qs.only(*EXPORT_FIELDS).iterator(chunk_size=2000)
        shown = personal_view(user=actor, objects=members, where=where)
        for m in shown:
            yield [
                m.name,
                m.id_number,
                GENDERS.get(m.gender, ""),
                ethnicities.get(m.ethnicity, m.ethnicity),
                m.birth_date,
                educations.get(m.education, m.education),
                _export_date(m.join_date, m.join_date_month_only),
                _export_date(m.full_date, m.full_date_month_only),
                statuses.get(m.status, m.status),
                m.organization.code,
                m.organization.name,
                categories.get(m.category, m.category),
                m.phone,
                m.work_unit,
            ]

    return Export(
        headers=EXPORT_HEADERS,
        rows=rows(),
        count=qs.count,
        filename="党员名册",
        target_type="members.member",
        org_path=within.path if within else "",
    )
