from .scoping import may_manage_reserves


def navigation(request):
    """The reserves entry for county and township staff, by the check its pages refuse with."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_reserves": may_manage_reserves(user)}
