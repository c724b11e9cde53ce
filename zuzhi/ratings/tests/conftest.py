import pytest

from zuzhi.core.roles import Role
from zuzhi.testing.factories import OrganizationFactory, user_with_role

from .helpers import scheme


@pytest.fixture
def five_star(db):
    return scheme("five-star-branch")


@pytest.fixture
def county_user_2(county):
    """A second county staff member: nobody confirms a star they proposed themselves."""
    return user_with_role(Role.COUNTY_STAFF, county.county, username="county_staff_2")


@pytest.fixture
def ten_villages(county):
    """Seven more villages, ten in all: quota shares become whole numbers of villages."""
    return [county.village_a1, county.village_a2, county.village_b1] + [
        OrganizationFactory(parent=county.town_a, code=f"VA{i}", name=f"新村{i}党支部")
        for i in range(3, 10)
    ]
