"""Organization-tree scoping (数据范围): the one place that decides what a user may see.

A user's scope is the union of the subtrees of the nodes on which they hold a data role.
Each scoped model names once, in `scope_path_field`, the path of the organization it belongs
to, and every read starts from `Model.objects.visible_to(user)`; every write checks
`require_in_scope`; an object outside the scope is "not found", and the refusal is logged.
Paths are materialized: fixed-width digit segments, one per level, so "X and all its
descendants" is the index range [path, next sibling path) on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from .roles import DATA_ROLES, Role

PATH_STEP = 8


class SystemActor:
    """The system itself (系统): the actor of management commands, background tasks and the
    demo seeder. Its scope is the whole tree and it holds no role; the audit names it 系统.
    A request never carries it; a missing actor (None) is refused like any user out of scope."""

    is_authenticated = False
    pk = None
    username = "系统"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def acting_user(actor):
    """The actor as a who-did-it column stores it: the user, or None for the system."""
    return None if is_system(actor) else actor


def path_segment(pk: int) -> str:
    return str(pk).zfill(PATH_STEP)


def path_upper_bound(path: str) -> str:
    """The smallest path after every descendant of `path`."""
    head, last = path[:-PATH_STEP], path[-PATH_STEP:]
    return head + str(int(last) + 1).zfill(PATH_STEP)


def subtree_q(path: str, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


def path_in(path: str, root: str) -> bool:
    return bool(path) and path.startswith(root) and (len(path) - len(root)) % PATH_STEP == 0


def _assignments(user):
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_zuzhi_assignments", None)
    if cached is None:
        cached = list(
            user.role_assignments.select_related("organization").order_by("organization__path")
        )
        user._zuzhi_assignments = cached
    return cached


def user_roles(user) -> set[str]:
    return {a.role for a in _assignments(user)}


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def user_scope_paths(user) -> list[str]:
    """Roots of the user's data scope, with nested roots removed. The system actor passes
    every scope check but has no roots to list (it acts on named objects, never on "mine")."""
    return role_paths(user, *DATA_ROLES)


def roots_q(roots: list[str], field: str = "path") -> Q | None:
    """The subtrees below `roots` as a filter on `field`; None for no roots."""
    if not roots:
        return None
    q = Q()
    for root in roots:
        q |= subtree_q(root, field)
    return q


def scope_q(user, field: str = "path") -> Q | None:
    """The filter for the user's scope on `field`; None when they see nothing."""
    return Q() if is_system(user) else roots_q(user_scope_paths(user), field)


def roles_q(user, field: str, *roles: str) -> Q | None:
    """The subtrees where the user holds any of `roles`, on `field` (the system: everywhere);
    None when none."""
    return Q() if is_system(user) else roots_q(role_paths(user, *roles), field)


def ancestor_paths(path: str) -> list[str]:
    """Paths of every node above `path`, root first (breadcrumbs, contests above a scope)."""
    return [path[:i] for i in range(PATH_STEP, len(path), PATH_STEP)]


def overlapping_scope_q(user, field: str = "path") -> Q | None:
    """Nodes inside the user's scope or above it: a county-wide contest concerns a township
    user (for its own entrants) though the county node itself is outside their scope."""
    roots = user_scope_paths(user)
    if not roots:
        return None
    above = {a for root in roots for a in ancestor_paths(root)}
    return scope_q(user, field) | Q(**{f"{field}__in": sorted(above)})


def scope_queryset(
    user, qs: QuerySet, *, path_field: str | tuple[str, ...] | None = None
) -> QuerySet:
    """`qs` cut to the user's scope, on `path_field` or else the model's `scope_path_field`.
    Several fields (a transfer's two ends) mean "in scope by any of them"."""
    fields = path_field or qs.model.scope_path_field
    q = None
    for field in (fields,) if isinstance(fields, str) else fields:
        one = scope_q(user, field)
        if one is None:
            return qs.none()
        q = one if q is None else q | one
    return qs.filter(q)


def any_of_q(model, parts: list[Q], field: str = "pk") -> Q | None:
    """Rows of `model` matching any of `parts` (each a filter on `model` that an index serves),
    as a filter on `field` (a key reaching `model`); None for no parts. One part is itself;
    several are `field IN (… UNION ALL …)`: one `OR` across joined tables is a filter that
    PostgreSQL applies after joining every row, while each part of the union is planned on its
    own index, and the whole is a semi-join that repeats no row (no DISTINCT). An empty Q among
    the parts (every row) makes the whole an empty Q."""
    if not parts:
        return None
    if not all(parts):  # a part that is everything
        return Q()
    if len(parts) == 1 and field == "pk":
        return parts[0]
    first, *rest = (model._base_manager.filter(p).order_by().values("pk") for p in parts)
    return Q(**{f"{field}__in": first.union(*rest, all=True) if rest else first})


class ScopedQuerySet(QuerySet):
    """The default manager of a scoped model (after NetBox's RestrictedQuerySet.restrict):
    `Member.objects.visible_to(user)`. The model says how it reaches the tree, once:
    `scope_path_field = "organization__path"`."""

    def visible_to(self, user) -> QuerySet:
        return scope_queryset(user, self)

    def get_visible_or_404(self, user, **lookup):
        return get_in_scope_or_404(user, self, **lookup)


def path_in_scope(user, path: str) -> bool:
    if is_system(user):
        return True
    return any(path_in(path, r) for r in user_scope_paths(user))


def deny(user, *, target=None, message: str = "") -> Http404:
    """Log a refused access (越权访问) and return the 404 to raise: forbidden looks like missing.

    The row has no org_path, so only the audit administrator reads it.
    """
    from .audit import audit_record
    from .models import AuditAction

    audit_record(
        actor=user,
        action=AuditAction.PERMISSION_DENIED,
        target=target,
        message=message or "访问了权限范围以外的对象",
    )
    return Http404("未找到该对象。")


def require_in_scope(actor, path: str, *, target=None, message: str = "") -> None:
    """The one scope check of every write: raise the logged 404 of `deny` unless `path` is
    inside the actor's scope. `SYSTEM` passes; None, anonymous and admin roles do not."""
    if not path_in_scope(actor, path):
        raise deny(actor, target=target, message=message)


def get_in_scope_or_404(
    user, qs: QuerySet, *, path_field: str | tuple[str, ...] | None = None, **lookup
):
    """The object if it exists inside the user's scope; 404 alike for missing and forbidden
    (the forbidden one logged). `path_field` defaults to the model's `scope_path_field`."""
    return get_or_logged_404(user, scope_queryset(user, qs, path_field=path_field), qs, **lookup)


def get_or_logged_404(user, visible: QuerySet, everything: QuerySet, **lookup):
    """The object of `visible` named by `lookup`; 404 alike when it is missing and when it
    exists only in `everything` (forbidden: that refusal is logged)."""
    try:
        return visible.get(**lookup)
    except (everything.model.DoesNotExist, ValueError, TypeError) as exc:
        try:
            existing = everything.filter(**lookup).first()
        except (ValueError, TypeError):
            existing = None
        if existing is not None:
            raise deny(user, target=existing) from exc
        raise Http404("未找到该对象。") from exc


def can_view_personal_data(user) -> bool:
    """Whether the user sees ID numbers and phones unmasked (查看未脱敏个人信息)."""
    return has_role(user, *settings.ZUZHI_UNMASKED_ROLES)


def is_audit_admin(user) -> bool:
    return has_role(user, Role.AUDIT_ADMIN)


def is_system_admin(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def role_paths(user, *roles: str) -> list[str]:
    """Roots of the subtrees where the user holds any of `roles`, nested roots removed, in
    path order: where a role's right (to propose, to confirm) reaches, whatever the scope."""
    paths = sorted(
        {a.organization.path for a in _assignments(user) if a.role in roles and a.organization}
    )
    roots: list[str] = []
    for p in paths:
        if not any(path_in(p, r) for r in roots):
            roots.append(p)
    return roots


def with_own_records(model, user, section_q: Q | None) -> Q | None:
    """`section_q` (an office's scope on `model`) widened to the user's own records through
    `model.own_field` (a cadre's or a talent's own account), those outside it named by id: an
    OR of a path on the organization with the user on the record cannot use an index and read
    every record of the province."""
    own_field = getattr(model, "own_field", None)
    if not own_field or not getattr(user, "is_authenticated", False):
        return section_q
    own = model._default_manager.filter(**{own_field: user})
    if section_q is not None:
        own = own.exclude(section_q)
    ids = list(own.values_list("pk", flat=True))
    if not ids:
        return section_q
    return Q(pk__in=ids) if section_q is None else section_q | Q(pk__in=ids)
