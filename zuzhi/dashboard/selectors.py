"""The scope's part of the home page (首页统计): counted now, or read as the worker kept it."""

import datetime
from dataclasses import dataclass

from zuzhi.core.scope import role_paths, user_roles
from zuzhi.home import TodoItem, TodoPart, home_charts, todo_items
from zuzhi.members.selectors import member_overview
from zuzhi.orgs.models import OrgType
from zuzhi.orgs.selectors import org_attention_counts, org_roots, org_type_counts
from zuzhi.recruitment.selectors import candidate_stage_counts

from .models import HomeFigures


def scope_signature(user) -> list:
    """What the figures depend on: each role the user holds and where. Not only the data
    scope's roots: the cadre section's or a reviewer's node scopes their to-do as well, so a
    role moved to another organization under the same roots makes the kept figures stale."""
    return [[role, role_paths(user, role)] for role in sorted(user_roles(user))]


def home_figures(*, user, today: datetime.date | None = None) -> dict:
    """The home page's counts, charts and to-do for the user's scope, counted now: each
    organization root with its counts by type, the members' overview, the organizations
    needing attention, the recruitment pipeline, the to-do and the charts."""
    roots = [
        (org, [(OrgType(k).label, n) for k, n in org_type_counts(user=user, org=org).items()])
        for org in org_roots(user=user)
    ]
    figures = {"roots": roots, "todo": todo_items(user=user, today=today)}
    if not roots:
        return figures | {"overview": None, "health_count": 0, "candidates": [], "charts": None}
    attention = org_attention_counts(user=user, today=today)
    candidates = candidate_stage_counts(user=user)
    return figures | {
        "overview": member_overview(user=user),
        "health_count": sum(row["any"] for _, row in attention),
        "candidates": candidates,
        "charts": home_charts(user=user, today=today, attention=attention, pipeline=candidates),
    }


def encode(figures: dict) -> dict:
    """The figures as JSON: organizations by id, to-do items as plain dicts."""
    return figures | {
        "roots": [[org.pk, counts] for org, counts in figures["roots"]],
        "todo": [
            {
                **vars(item),
                "parts": [vars(p) for p in item.parts],
                "groups": [vars(p) for p in item.groups],
            }
            for item in figures["todo"]
        ],
    }


def _item(row: dict) -> TodoItem:
    since = row["since"]
    return TodoItem(
        **row
        | {
            "since": datetime.date.fromisoformat(since) if since else None,
            "parts": [TodoPart(**p) for p in row["parts"]],
            "groups": [TodoPart(**p) for p in row["groups"]],
        }
    )


def decode(data: dict, *, user) -> dict:
    """The kept JSON as `home_figures` returns it; a root the user no longer has is left out."""
    orgs = {org.pk: org for org in org_roots(user=user)}
    return data | {
        "roots": [(orgs[pk], counts) for pk, counts in data["roots"] if pk in orgs],
        "todo": [_item(row) for row in data["todo"]],
    }


@dataclass(frozen=True)
class KeptHome:
    """A wide scope's home as the worker last counted it."""

    figures: dict
    computed_at: datetime.datetime
    pending: bool  # a recount was asked for and has not run yet


def kept_home(*, user) -> KeptHome | None:
    """The kept figures of the user's home, if the worker keeps them (a wide scope) and they
    were counted for the roles and scope the user has now; else None (count them live)."""
    kept = HomeFigures.objects.filter(user=user).first()
    if kept is None or kept.scope != scope_signature(user):
        return None
    return KeptHome(
        figures=decode(kept.data, user=user),
        computed_at=kept.computed_at,
        pending=bool(kept.requested_at and kept.requested_at > kept.computed_at),
    )
