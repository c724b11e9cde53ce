from zuzhi.cadres.models.scoping import is_cadre_staff

from .scoping import led_team_ids


def navigation(request):
    """The three-ones entry for a team's leader (班子主要负责人) outside the cadre section,
    which has it in its 干部 menu: only cadre accounts are asked, one indexed query."""
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or not hasattr(user, "cadre_record")
        or is_cadre_staff(user)
    ):
        return {}
    return {"nav_three_ones": led_team_ids(user).exists()}
