"""Reserves in the pool, built the way a real one gets there: nominated, passed by the
township, sent to the county joint review, cleared by every department, round closed."""

import datetime

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services as review_services
from zuzhi.joint_reviews.models import Department
from zuzhi.reserves import lifecycle
from zuzhi.reserves.services import candidate_create
from zuzhi.testing.factories import user_with_role, valid_id_number


def pooled_reserves(*, county, people: list[tuple]) -> list:
    """`people`: (village, name, sequence) each; returns the candidates, now 入库."""
    by_township: dict = {}
    candidates = []
    for village, name, sequence in people:
        township = village.parent
        if township.pk not in by_township:
            by_township[township.pk] = user_with_role(
                Role.TOWNSHIP_STAFF, township, username=f"pool_clerk_{township.pk}_{sequence}"
            )
        clerk = by_township[township.pk]
        candidate = candidate_create(
            actor=clerk,
            data={
                "village": village,
                "name": name,
                "id_number": valid_id_number(birth="19900101", sequence=sequence),
                "source": "graduate",
                "discovery": "organization",
            },
        )
        lifecycle.township_review(actor=clerk, candidates=[candidate], approve=True)
        candidates.append(candidate)
    organizer = user_with_role(
        Role.COUNTY_STAFF, county.county, username=f"pool_county_{candidates[0].pk}"
    )
    review_services.departments_load_defaults(actor=SYSTEM)
    review_round = lifecycle.candidates_send_to_review(
        actor=organizer,
        candidates=candidates,
        title="后备力量联审",
        deadline=datetime.date(2026, 12, 31),
    )
    reviewer = user_with_role(
        Role.JOINT_REVIEWER, county.county, username=f"pool_reviewer_{review_round.pk}"
    )
    items = list(review_round.items.all())
    for department in Department.objects.filter(active=True):
        review_services.reviewer_department_assign(
            actor=SYSTEM, user=reviewer, department=department
        )
        review_services.decisions_clear_pending(actor=reviewer, department=department, items=items)
    review_services.round_close(actor=organizer, review_round=review_round)
    for c in candidates:
        c.refresh_from_db()
    return candidates
