"""Which contests and entrants a user may see (考评竞赛与参评对象)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from zuzhi.core.params import object_id
from zuzhi.core.roles import Role
from zuzhi.core.scope import (
    deny,
    get_or_logged_404,
    path_in_scope,
    role_paths,
    user_scope_paths,
)
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_get

from ..models import (
    Contest,
    Entrant,
    Indicator,
    Stage,
    Track,
)
from ..rules import contest_reach_q, manages


def contest_visible_q(user) -> Q:
    """Contests a user may open: those that concern their work (`rules.contest_reach_q`: in or
    above their scope, or their talent office's talent awards), the templates for the data
    roles, and for judges the contests they are seated on."""
    # Not Contest.objects.visible_to (the organizer's subtree): this reaches above the scope.
    q = Q(stages__seats__judge=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    reach = contest_reach_q(user)
    if reach is not None:
        q |= reach
    if user_scope_paths(user):
        q |= Q(is_template=True)
    return q


def contest_list(*, user, templates: bool = False, search: str = "") -> QuerySet:
    qs = (
        Contest.objects.filter(contest_visible_q(user), is_template=templates)
        .select_related("organization")
        .distinct()
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(period_label__icontains=search))
    return qs.order_by("-pk")


def contest_get(*, user, pk) -> Contest:
    pk = object_id(pk)
    contest = (
        Contest.objects.filter(contest_visible_q(user), pk=pk)
        .select_related("organization")
        .first()
    )
    if contest is None:
        existing = Contest.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="访问了无权查看的考评竞赛")
        raise Http404("未找到该考评竞赛。")
    return contest


def organizer_get(*, user, pk, track: str) -> Organization:
    """The organizing node (主办单位) picked for a new contest: a node in the user's scope, or
    for the talent track the county of their talent office; 404 otherwise (logged when it
    exists). `rules.require_organizer` then decides whether they may organize there."""
    if track != Track.TALENT:
        return org_get(user=user, pk=pk)
    counties = Organization.objects.filter(path__in=role_paths(user, Role.TALENT_STAFF))
    return get_or_logged_404(user, counties, Organization.objects.all(), pk=object_id(pk))


def organizer_choices(*, user) -> list[Organization]:
    """The nodes the create form offers as organizer: the user's scope roots and the counties
    of their talent office."""
    paths = {*user_scope_paths(user), *role_paths(user, Role.TALENT_STAFF)}
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def is_judge_only(user, contest: Contest) -> bool:
    """A judge without a data role on the contest sees only the scoring pages."""
    if contest.organization is None:
        return False
    if contest.track == Track.TALENT:
        return not manages(user, contest)
    return not user_scope_paths(user) or not (
        path_in_scope(user, contest.organization.path)
        or any(root.startswith(contest.organization.path) for root in user_scope_paths(user))
    )


def entrant_list(*, user, contest: Contest, search: str = "") -> QuerySet:
    """The contest's entrants inside the user's scope (a township sees its own villages)."""
    qs = (
        Entrant.objects.filter(contest=contest)
        .select_related("organization__parent", "talent")
        .visible_to(user)
    )
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("number")


def entrant_get(*, user, contest: Contest, pk) -> Entrant:
    """An entrant of the contest inside the user's scope; 404 alike for missing and forbidden
    (the forbidden one logged), through the project's one scoping helper."""
    return (
        Entrant.objects.filter(contest=contest)
        .select_related("organization__parent", "contest__organization")
        .get_visible_or_404(user, pk=object_id(pk))
    )


def leaf_indicators(stage: Stage) -> list[Indicator]:
    nodes = list(stage.indicators.all())
    parents = {n.parent_id for n in nodes}
    return [n for n in nodes if n.pk not in parents]
