"""The rules of linking shared by the services and the selectors (联户规则).

A "county unit" (县直单位) member is one whose own organization is built in a county unit:
单位类别 县直机关, 县直事业单位 or 国有企业 (the 108 units of the county's 直属机关工委, whose
branches carry their unit's category). Township, village, community and two-new organizations
are not county units. A member stops qualifying when their organization relationship moves to a
branch of another category (transferred to a township or village, or out of the county) or their
organization is dissolved (is_active=False); their households are then "待重新联系" until
reassigned. The test is one column of the member's organization, so it is a join, never a loop.
"""

from django.conf import settings
from django.db.models import Q

from zuzhi.orgs.models import UnitCategory

COUNTY_UNIT_CATEGORIES = (
    UnitCategory.GOVERNMENT,
    UnitCategory.PUBLIC_INSTITUTION,
    UnitCategory.STATE_ENTERPRISE,
)
# A household belongs to a village or a community (社区（村）).
COMMUNITY_CATEGORIES = (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)

NOT_COUNTY_UNIT = "只能联系县直单位（县直机关、县直事业单位、国有企业）的党员，{name}不是。"
NOT_COMMUNITY = "住户须属于行政村或社区的党组织，“{name}”不是。"


def link_cap() -> int:
    """How many households one member may be linked to at once (ZUZHI_HOUSEHOLD_LINK_CAP)."""
    return settings.ZUZHI_HOUSEHOLD_LINK_CAP


def county_unit_member_q(prefix: str = "") -> Q:
    """Members (reached by `prefix`) who may be linked: in an active county-unit organization."""
    return Q(
        **{
            f"{prefix}organization__unit_category__in": COUNTY_UNIT_CATEGORIES,
            f"{prefix}organization__is_active": True,
        }
    )


def is_county_unit_member(member) -> bool:
    org = member.organization
    return org.is_active and org.unit_category in COUNTY_UNIT_CATEGORIES


def is_community(org) -> bool:
    return org.is_active and org.unit_category in COMMUNITY_CATEGORIES
