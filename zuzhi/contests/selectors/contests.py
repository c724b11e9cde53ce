"""Which contests and entrants a user may see (考评竞赛与参评对象)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from zuzhi.core.params import object_id
from zuzhi.core.scope import (
    deny,
    overlapping_scope_q,
    path_in_scope,
    user_scope_paths,
)

from ..models import (
    Contest,
    Entrant,
    Indicator,
    Stage,
)


def contest_visible_q(user) -> Q:
    """Contests a user may open: those organized in or above their scope (a county contest
    concerns a township for its own entrants), the templates, and for judges the contests they
    are seated on."""
    # Not Contest.objects.visible_to (the organizer's subtree): this reaches above the scope.
    q = Q(stages__seats__judge=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    scope = overlapping_scope_q(user, "organization__path")
    if scope is not None:
        q |= scope | Q(is_template=True)
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


def is_judge_only(user, contest: Contest) -> bool:
    """A judge without a data role on the contest sees only the scoring pages."""
    if contest.organization is None:
        return False
    return not user_scope_paths(user) or not (
        path_in_scope(user, contest.organization.path)
        or any(root.startswith(contest.organization.path) for root in user_scope_paths(user))
    )


def entrant_list(*, user, contest: Contest, search: str = "") -> QuerySet:
    """The contest's entrants inside the user's scope (a township sees its own villages)."""
    qs = (
        Entrant.objects.filter(contest=contest)
        .select_related("organization__parent")
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
