from zuzhi.cadres.models.scoping import is_cadre_staff
from zuzhi.core.roles import Role
from zuzhi.core.scope import has_role


def navigation(request):
    """The village-work roster entry for township staff (the cadre section has it in its 干部
    menu), by the check the roster page refuses with."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_cadre_staff(user):
        return {}
    return {"nav_village_roster": has_role(user, Role.TOWNSHIP_STAFF)}
