"""Who sees and who writes the three ones (三个一的可见范围), in one place.

Three-ones logs are cadre data. Two kinds of people see and write them:
- the cadre section (`cadre_staff`), for the teams of its subtree;
- a team's leader (班子主要负责人): a user whose cadre record holds a current chief post
  (a PostHolding without end whose leadership level ends in `_chief`) on that team, for that
  team only — the leader of team A neither sees nor writes team B's.
Nobody sees the problems recorded about themselves (a cadre sees their own archive, never
what is said about them here). Everyone else — county staff of other sections, township
staff, branch secretaries — sees nothing, and a named object answers the logged 404.
"""

from django.db.models import Q, QuerySet

from zuzhi.cadres.models import LeadershipTeam, PostHolding
from zuzhi.cadres.models.scoping import (
    cadre_section_q,
    in_cadre_section,
    is_cadre_staff,
    visible_or_404,
)
from zuzhi.core.scope import ScopedQuerySet, deny

REFUSED = "试图记录或查看权限范围以外班子的三个一"


def led_team_ids(user) -> QuerySet:
    """Ids of the teams `user` leads today (a subquery)."""
    if not getattr(user, "is_authenticated", False):
        return LeadershipTeam.objects.none().values("pk")
    return PostHolding.objects.filter(
        end__isnull=True,
        leadership_level__endswith="_chief",
        team_post__isnull=False,
        cadre__user=user,
        cadre__user__is_active=True,
    ).values("team_post__team")


def _team_q(user, team_field: str) -> Q | None:
    """Rows of the teams the user sees through `team_field` ("" for the team itself); None
    when none."""
    prefix = f"{team_field}__" if team_field else ""
    q = cadre_section_q(user, f"{prefix}organization__path")
    if getattr(user, "is_authenticated", False):
        led = Q(**{f"{team_field or 'pk'}__in": led_team_ids(user)})
        q = led if q is None else q | led
    return q


class ContactQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> QuerySet:
        q = _team_q(user, "team")
        return self.filter(q) if q is not None else self.none()

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)


class ProblemQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> QuerySet:
        q = _team_q(user, "contact__team")
        if q is None:
            return self.none()
        qs = self.filter(q)
        if getattr(user, "is_authenticated", False):
            qs = qs.exclude(cadre__user=user)
        return qs

    def get_visible_or_404(self, user, **lookup):
        return visible_or_404(self, user, **lookup)


def teams_for(user) -> QuerySet[LeadershipTeam]:
    """The teams whose three ones `user` reads and logs."""
    q = _team_q(user, "")
    qs = LeadershipTeam.objects.all()
    return qs.filter(q) if q is not None else qs.none()


def may_log_for(user, team: LeadershipTeam) -> bool:
    if in_cadre_section(user, team.organization.path):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and led_team_ids(user).filter(team_post__team=team.pk).exists()
    )


def require_team_writer(actor, team: LeadershipTeam, *, target=None) -> None:
    """The write check: the cadre section over the team, or the team's own leader; else the
    logged 404 of `deny`."""
    if not may_log_for(actor, team):
        raise deny(actor, target=target or team, message=REFUSED)


def is_problem_type_editor(user) -> bool:
    """Problem types are the county's configuration: the cadre section's only."""
    return is_cadre_staff(user)


def may_read(user) -> bool:
    """Whether the three-ones pages are the user's at all: the cadre section's, a leader's."""
    return is_cadre_staff(user) or (
        getattr(user, "is_authenticated", False) and led_team_ids(user).exists()
    )


def require_reader(user) -> None:
    if not may_read(user):
        raise deny(user, message="试图查看三个一（仅干部科和班子主要负责人）")
