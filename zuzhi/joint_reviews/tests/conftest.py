import datetime

import pytest

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.joint_reviews import services
from zuzhi.joint_reviews.models import Department
from zuzhi.testing.factories import user_with_role, valid_id_number


@pytest.fixture
def departments(db) -> list[Department]:
    return services.departments_load_defaults(actor=SYSTEM)


def make_reviewer(county, department, username=None):
    user = user_with_role(
        Role.JOINT_REVIEWER, county.county, username=username or f"review_{department.pk}"
    )
    services.reviewer_department_assign(actor=SYSTEM, user=user, department=department)
    return user


@pytest.fixture
def reviewers(county, departments) -> dict[str, object]:
    return {d.name: make_reviewer(county, d) for d in departments}


def open_round(county, actor, n=2, **kwargs):
    villages = [county.village_a1, county.village_b1]
    return services.round_open(
        actor=actor,
        kind=kwargs.pop("kind", "reserve"),
        organization=county.county,
        title=kwargs.pop("title", "2026年第一批后备干部联审"),
        deadline=datetime.date(2026, 12, 31),
        items=[
            services.ItemInput(
                f"候选{i}",
                valid_id_number(sequence=100 + i),
                villages[i % 2],
                "reserves.candidate",
                str(i),
            )
            for i in range(n)
        ],
        **kwargs,
    )


@pytest.fixture
def review_round(county, county_user, departments):
    return open_round(county, county_user)
