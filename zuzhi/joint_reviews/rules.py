"""Who may do what in the joint review (县级联审), shared by services and selectors."""

from django.db.models import Q

from zuzhi.core.roles import Role
from zuzhi.core.scope import roles_q

# The county's organization section and cadre section open and read rounds (组织科、干部科).
ROUND_ROLES = (Role.COUNTY_STAFF, Role.CADRE_STAFF)

# The twelve departments of the default list (可配置；默认十二个部门).
DEFAULT_DEPARTMENTS = (
    "纪委监委",
    "公安",
    "法院",
    "检察院",
    "信访",
    "司法",
    "民政",
    "卫健",
    "市场监管",
    "税务",
    "自然资源",
    "人社",
)


def round_scope_q(user, field: str = "organization__path") -> Q | None:
    """Rounds the user may read and run: those of the counties where they hold a round role;
    None when none (a township clerk, a reviewer)."""
    return roles_q(user, field, *ROUND_ROLES)
