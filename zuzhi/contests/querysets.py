"""The manager of contest entrants and the rows hanging on one (values, scores, bonus items,
result rows, cases): their visibility is the entrant rule of `contests.rules`."""

from django.db.models import QuerySet

from zuzhi.core.scope import ScopedQuerySet, get_or_logged_404


class EntrantQuerySet(ScopedQuerySet):
    """The manager of entrants and of the rows hanging on one: `visible_to` is the entrant rule
    of `contests.rules` (a talent entrant is the talent office's alone), not the bare tree."""

    def visible_to(self, user) -> QuerySet:
        from .rules import entrant_scope_q  # rules reads these models: imported when used

        prefix = self.model.scope_path_field.removesuffix("organization__path")
        q = entrant_scope_q(user, prefix)
        return self.none() if q is None else self.filter(q)

    def get_visible_or_404(self, user, **lookup):
        return get_or_logged_404(user, self.visible_to(user), self, **lookup)
