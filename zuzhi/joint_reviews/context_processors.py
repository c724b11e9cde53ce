from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role

from .rules import ROUND_ROLES


def navigation(request):
    """The county's joint review rounds (组织科、干部科) and a reviewer's list of names, by the
    checks their pages refuse with."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_joint_rounds": has_role(user, *ROUND_ROLES),
        "nav_joint_review": has_role(user, Role.JOINT_REVIEWER)
        and user.review_departments.exists(),
    }
