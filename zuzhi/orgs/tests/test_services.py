"""Organization rules enforced by the services, whatever calls them."""

import pytest


def test_a_branch_cannot_be_a_parent(county, town_a_user):
    from django.core.exceptions import ValidationError

    from zuzhi.orgs.services import org_create, org_update

    with pytest.raises(ValidationError, match="党支部下不能再设党组织"):
        org_create(
            actor=town_a_user,
            parent=county.village_a1,
            data={"code": "X1", "name": "某党小组", "org_type": "branch"},
        )
    with pytest.raises(ValidationError, match="党支部下不能再设党组织"):
        org_update(actor=town_a_user, org=county.village_a2, data={"parent": county.village_a1})
