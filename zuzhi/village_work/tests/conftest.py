import datetime
from dataclasses import dataclass

import pytest

from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number
from zuzhi.village_work import services


def id_number(sequence: int) -> str:
    return valid_id_number(birth="19850101", sequence=sequence)


@dataclass
class World:
    officer: object  # the county's cadre section
    secretary_user: object  # the first secretary's own account, resident in village A1
    secretary: object
    other_user: object  # another cadre, resident in village B1
    other: object
    assignment: object  # 2025-03-01 to 2027-02-28, village A1
    other_assignment: object


def assign(cadre, village, **kw):
    data = {
        "role": "first_secretary",
        "sending_unit": "县教育局",
        "start": datetime.date(2025, 3, 1),
        "end": datetime.date(2027, 2, 28),
    }
    data.update(kw)
    return services.assignment_create(actor=SYSTEM, cadre=cadre, village=village, **data)


TODAY = datetime.datetime(2026, 6, 15, 4, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    """Every test of this app runs on 15 June 2026 (Beijing), inside the fixture's terms."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: TODAY)


@pytest.fixture
def world(county):
    secretary_user = UserFactory(username="secretary1")
    secretary = make_cadre(county.unit, name="赵驻村", id_number=id_number(21), user=secretary_user)
    other_user = UserFactory(username="secretary2")
    other = make_cadre(county.unit, name="钱驻村", id_number=id_number(22), user=other_user)
    return World(
        officer=user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer"),
        secretary_user=secretary_user,
        secretary=secretary,
        other_user=other_user,
        other=other,
        assignment=assign(secretary, county.village_a1),
        other_assignment=assign(other, county.village_b1, role="instructor"),
    )


REPORT = {
    "work_done": "走访农户 30 户，协调修路。",
    "problems": "灌溉渠渗漏。",
    "next_plan": "申报项目。",
}
