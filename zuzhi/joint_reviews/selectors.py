"""Reads of the county joint review (县级联审): the county's rounds with each name's outcome,
and a reviewer's pending names (name, ID number and village only)."""

import re

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from zuzhi.core.fields import with_companions
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, get_or_logged_404, has_role, role_paths, subtree_q

from .models import (
    Department,
    Outcome,
    ReviewDecision,
    ReviewerDepartment,
    ReviewItem,
    ReviewRound,
    RoundStatus,
    Verdict,
)
from .rules import ROUND_ROLES, round_scope_q

# A reviewer's screen lists this many names a page; "本页全部通过" clears one page.
REVIEW_PAGE_SIZE = 50


def rounds_visible(*, user) -> QuerySet[ReviewRound]:
    """The rounds of the user's county (county staff and the cadre section); none for others."""
    q = round_scope_q(user)
    return ReviewRound.objects.none() if q is None else ReviewRound.objects.filter(q)


def round_get(*, user, pk) -> ReviewRound:
    return get_or_logged_404(user, rounds_visible(user=user), ReviewRound.objects.all(), pk=pk)


def with_outcome(items: QuerySet[ReviewItem]) -> QuerySet[ReviewItem]:
    """Each name's outcome (联审结果): rejected on any department's rejection, passed when every
    participating department cleared it, pending otherwise. Counted in the database; only a
    participating department can answer (services), so the decisions need no filter by it."""
    return items.annotate(
        participating=Count("round__departments", distinct=True),
        cleared=Count("decisions", filter=Q(decisions__verdict=Verdict.CLEARED), distinct=True),
        rejected=Count("decisions", filter=Q(decisions__verdict=Verdict.REJECTED), distinct=True),
    ).annotate(
        outcome=Case(
            When(rejected__gt=0, then=Value(Outcome.REJECTED)),
            When(cleared=F("participating"), then=Value(Outcome.PASSED)),
            default=Value(Outcome.PENDING),
            output_field=CharField(),
        )
    )


def round_items(*, review_round: ReviewRound, outcome: str = "") -> QuerySet[ReviewItem]:
    items = with_outcome(review_round.items.select_related("village"))
    return items.filter(outcome=outcome) if outcome else items


def round_matrix(*, review_round: ReviewRound) -> dict:
    """The county's view of a round: names × departments with each answer and its reason,
    each name's outcome, and the departments that have not answered every name yet (未反馈)."""
    departments = list(review_round.departments.order_by("order", "id"))
    items = list(round_items(review_round=review_round))
    answers = {
        (d.item_id, d.department_id): d
        for d in ReviewDecision.objects.filter(item__round=review_round)
    }
    rows = [
        {"item": item, "cells": [answers.get((item.pk, d.pk)) for d in departments]}
        for item in items
    ]
    answered = Count("decisions", filter=Q(decisions__item__round=review_round))
    pending_departments = [
        d
        for d in review_round.departments.annotate(answered=answered).order_by("order", "id")
        if d.answered < len(items)
    ]
    counts = {o: sum(1 for i in items if i.outcome == o) for o in Outcome.values}
    return {
        "departments": departments,
        "rows": rows,
        "pending_departments": pending_departments,
        "counts": counts,
    }


def reviewer_departments(*, user) -> list[Department]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Department.objects.filter(reviewers__user=user).order_by("order", "id"))


def reviewer_items(*, user, department: Department) -> QuerySet[ReviewItem]:
    """Names the reviewer may see for their department: those of open rounds it takes part in.
    Nothing for a department that is not theirs."""
    if not department.reviewers.filter(user=user).exists():
        return ReviewItem.objects.none()
    return ReviewItem.objects.filter(round__status=RoundStatus.OPEN, round__departments=department)


def reviewer_pending(*, user, department: Department):
    """The names the department has not answered yet, as the reviewer sees them: name, ID
    number and village (what they check against their own records), nothing else. The ID
    number's masked copy comes along, so that a masked use of the rows decrypts nothing."""
    return (
        reviewer_items(user=user, department=department)
        .exclude(decisions__department=department)
        .select_related("village")
        .only(
            *with_companions(ReviewItem, ["id", "round_id", "name", "id_number"]),
            "village__name",
            "village__path",
        )
        .order_by("round_id", "id")
    )


def reviewer_item_get(*, user, department: Department, pk) -> ReviewItem:
    return get_or_logged_404(
        user, reviewer_items(user=user, department=department), ReviewItem.objects.all(), pk=pk
    )


def reviewer_answers(*, user, department: Department) -> QuerySet[ReviewDecision]:
    """The department's own answers on open rounds, with their reasons: never another's."""
    return ReviewDecision.objects.filter(
        department=department, item__in=reviewer_items(user=user, department=department)
    ).select_related("item")


def villages_by_name(*, county, names: set[str]) -> dict[str, object]:
    """The county's organizations named by a pasted list's "村" column: by code, full name,
    short name, or the name before its 党支部/党总支 suffix ("李庄村" for 李庄村党支部)."""
    from zuzhi.orgs.models import Organization

    names = {n for n in names if n}
    suffixed = {n + suffix for n in names for suffix in ("党支部", "党总支")}
    matches = (
        Organization.objects.filter(subtree_q(county.path))
        .exclude(pk=county.pk)
        .filter(Q(code__in=names) | Q(name__in=names | suffixed) | Q(short_name__in=names))
        .order_by("path")
    )
    found = {}
    for org in matches:  # only the organizations the list names
        for key in {org.code, org.name, org.short_name, re.sub(r"党(总)?支部$", "", org.name)}:
            if key in names:
                found.setdefault(key, org)
    return found


def round_county(*, user):
    """The county a user opens rounds for: the top node where they hold a round role."""
    from zuzhi.orgs.models import Organization

    roots = role_paths(user, *ROUND_ROLES)
    if not roots:
        raise deny(user, message="县级联审为县委组织部工作人员和干部科使用。")
    return Organization.objects.get(path=roots[0])


def reviewer_todo(*, user) -> list[dict]:
    """Per department of the reviewer: names not answered yet and the earliest deadline among
    them (the home page's 待反馈), one grouped query per department."""
    rows = []
    for department in reviewer_departments(user=user):
        pending = reviewer_pending(user=user, department=department).aggregate(
            count=Count("id"), deadline=Min("round__deadline")
        )
        if pending["count"]:
            rows.append({"department": department, **pending})
    return rows


def departments_admin(*, user) -> QuerySet[Department]:
    """The participating departments with their reviewer accounts (联审部门设置), for the
    county staff who configure them."""
    if not has_role(user, Role.COUNTY_STAFF):
        raise deny(user, message="只有县委组织部工作人员可以设置联审部门。")
    links = _county_links(user).select_related("user").order_by("user__username")
    return Department.objects.prefetch_related(Prefetch("reviewers", queryset=links))


def _county_links(user) -> QuerySet[ReviewerDepartment]:
    """The reviewer links of the user's county: of accounts holding the reviewer role there
    (one deployment may serve several counties, each with its own reviewers)."""
    county = round_county(user=user)
    accounts = reviewer_accounts_of(county=county)
    return ReviewerDepartment.objects.filter(user__in=accounts.values("pk"))


def reviewer_accounts(*, user) -> QuerySet:
    """Accounts holding the joint reviewer role in the user's county, to assign to departments."""
    return reviewer_accounts_of(county=round_county(user=user))


def reviewer_accounts_of(*, county) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            subtree_q(county.path, "role_assignments__organization__path"),
            role_assignments__role=Role.JOINT_REVIEWER,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def department_get(*, user, pk) -> Department:
    departments = departments_admin(user=user)
    return get_or_logged_404(user, departments, departments, pk=pk)


def reviewer_link_get(*, user, pk) -> ReviewerDepartment:
    departments_admin(user=user)
    links = _county_links(user).select_related("user", "department")
    return get_or_logged_404(user, links, ReviewerDepartment.objects.all(), pk=pk)
