"""Who sees resident village work (驻村工作的可见范围): one rule for every model of the app.

- the cadre section (`cadre_staff`) sees the assignments to the villages of its subtree, with
  their monthly reports and reviews;
- the assigned cadre's own account sees their own assignments, reports and reviews;
- township staff (`township_staff`) see the assignments and monthly reports of the villages of
  their township: the township Party committee manages resident cadres day to day and needs
  the roster, who has reported and what they reported. They do not see the reviews (述职评议):
  a review's grade and comments feed the cadre's performance archive, which is the cadre
  section's (models declare this with `township_reads = False`);
- everyone else (county staff of other sections, branch secretaries…) sees nothing: a lookup
  is the logged 404.

Writes are narrower (services.py): the cadre section assigns, ends and reviews; the assigned
cadre (or the cadre section on their behalf) files a monthly report.
"""

from django.db.models import Q, QuerySet

from zuzhi.cadres.models.scoping import cadre_section_q, visible_or_404
from zuzhi.core.roles import Role
from zuzhi.core.scope import ScopedQuerySet, roles_q


def township_q(user, field: str) -> Q | None:
    """The townships where the user is township staff, on `field`; None when none."""
    return roles_q(user, field, Role.TOWNSHIP_STAFF)


def village_work_q(user, model) -> Q | None:
    """The rows of `model` the user sees (see the module's docstring); None for none."""
    field = model.scope_path_field
    parts = [cadre_section_q(user, field)]
    if getattr(model, "township_reads", False):
        parts.append(township_q(user, field))
    if getattr(user, "is_authenticated", False):
        parts.append(Q(**{model.own_field: user}))
    q = None
    for one in parts:
        if one is not None:
            q = one if q is None else q | one
    return q


class VillageWorkQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> QuerySet:
        q = village_work_q(user, self.model)
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)
