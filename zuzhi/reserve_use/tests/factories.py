"""Reserves in the pool, built through the real way in (选): nomination, the township's first
review, the county joint review cleared by every department, the round closed."""

import datetime

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services as review_services
from zuzhi.reserves import lifecycle
from zuzhi.reserves.models import ReserveCandidate
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import user_with_role, valid_id_number


def make_pool_reserves(county, villages, *, county_user=None, sequence=900, **overrides):
    """One reserve in the pool per village of `villages` (in that order)."""
    county_user = county_user or user_with_role(
        Role.COUNTY_STAFF, county.county, username=f"pool_county_{sequence}"
    )
    candidates = [
        candidate_create(
            actor=county_user,
            data={
                "village": village,
                "name": f"后备{sequence + n}",
                "id_number": valid_id_number(birth="19920315", sequence=sequence + n),
                "source": "graduate",
                "discovery": "organization",
            }
            | overrides,
        )
        for n, village in enumerate(villages)
    ]
    lifecycle.township_review(actor=county_user, candidates=candidates, approve=True)
    if not review_services.Department.objects.filter(active=True).exists():
        review_services.departments_load_defaults(actor=SYSTEM)
    review_round = lifecycle.candidates_send_to_review(
        actor=county_user,
        candidates=candidates,
        title="后备力量联审",
        deadline=datetime.date(2026, 12, 31),
    )
    items = list(review_round.items.all())
    for department in review_round.departments.all():
        reviewer = user_with_role(
            Role.JOINT_REVIEWER, county.county, username=f"pool_{sequence}_{department.pk}"
        )
        review_services.reviewer_department_assign(
            actor=SYSTEM, user=reviewer, department=department
        )
        review_services.decisions_clear_pending(actor=reviewer, department=department, items=items)
    review_services.round_close(actor=county_user, review_round=review_round)
    return list(ReserveCandidate.objects.filter(pk__in=[c.pk for c in candidates]).order_by("pk"))


def make_pool_reserve(county, village, **kwargs) -> ReserveCandidate:
    return make_pool_reserves(county, [village], **kwargs)[0]
