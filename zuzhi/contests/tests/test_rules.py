"""The shared rules of `contests.rules`: who may organize a contest (issue #11, finding 5.7).

Contest organizers are county staff, and township staff for their own township's contests; a
branch secretary may not create one, through the service, the API or a page.
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from zuzhi.contests import services
from zuzhi.contests.models import Contest
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

DATA = {"name": "评比", "track": "village", "period_label": "2026年"}
STAGES = [{"kind": "public_report", "name": "汇报", "weight": D(100)}]
REFUSED = "党支部不能设立考评"


def create(actor, organization):
    return services.contest_create(actor=actor, organization=organization, data=DATA, stages=STAGES)


@pytest.mark.parametrize("node", ["county", "town_a", "village_a1"])
def test_county_staff_organize_anywhere_in_their_county(county, county_user, node):
    assert create(county_user, getattr(county, node)).organization == getattr(county, node)


def test_township_staff_organize_their_own_township_s_contests(county, town_a_user):
    assert create(town_a_user, county.town_a).organization == county.town_a


def test_township_staff_do_not_organize_for_a_branch_below_them(county, town_a_user):
    with pytest.raises(ValidationError, match="乡镇（街道）党委可主办本乡镇的考评"):
        create(town_a_user, county.village_a1)
    assert not Contest.objects.filter(is_template=False).exists()


@pytest.mark.parametrize("node", ["county", "town_b"])
def test_township_staff_outside_their_township_are_not_found(county, town_a_user, node):
    with pytest.raises(Http404):
        create(town_a_user, getattr(county, node))


def test_a_branch_secretary_may_not_create_a_contest(county, branch_a1_user):
    with pytest.raises(ValidationError, match=REFUSED):
        create(branch_a1_user, county.village_a1)
    assert not Contest.objects.filter(is_template=False).exists()


def test_a_township_role_elsewhere_does_not_lift_a_branch_secretary(county):
    """Roles count where they are held: township staff of B are still only a branch secretary
    on village A1."""
    user = user_with_role(Role.BRANCH_SECRETARY, county.village_a1, username="two_roles")
    user.role_assignments.create(role=Role.TOWNSHIP_STAFF, organization=county.town_b)
    with pytest.raises(ValidationError, match=REFUSED):
        create(user, county.village_a1)
    assert create(user, county.town_b).organization == county.town_b


@pytest.mark.parametrize("role", [Role.JUDGE, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN])
def test_roles_without_data_scope_are_not_found(county, role):
    user = user_with_role(role, county.county, username=f"no_scope_{role}")
    with pytest.raises(Http404):
        create(user, county.county)


def api_body(organization):
    return {
        "organization_id": organization.pk,
        **DATA,
        "stages": [{"kind": "public_report", "name": "汇报", "weight": "100"}],
    }


def test_api_boundary_for_each_role(county, county_user, town_a_user, branch_a1_user, api_as):
    def post(user, organization):
        return api_as(user).post(
            "/api/contests", api_body(organization), content_type="application/json"
        )

    assert post(county_user, county.town_a).status_code == 201
    assert post(town_a_user, county.town_a).status_code == 201
    refused = post(town_a_user, county.village_a1)
    assert refused.status_code == 400 and "本乡镇" in refused.json()["message"]
    refused = post(branch_a1_user, county.village_a1)
    assert refused.status_code == 400 and REFUSED in refused.json()["message"]
    assert post(town_a_user, county.county).status_code == 404
    assert Contest.objects.filter(is_template=False).count() == 2


def test_api_copy_is_held_to_the_same_rule(contest, county, branch_a1_user, api_as):
    response = api_as(branch_a1_user).post(
        f"/api/contests/{contest.pk}/copy",
        {"organization_id": county.village_a1.pk, "name": "复制", "period_label": "2027年"},
        content_type="application/json",
    )
    assert response.status_code == 400 and REFUSED in response.json()["message"]
    assert Contest.objects.filter(is_template=False).count() == 1


def test_the_copy_page_refuses_a_branch_secretary(contest, county, branch_a1_user, client_as):
    """Pages create contests by copying a template or an earlier contest."""
    template = Contest.objects.filter(is_template=True).first()
    page = client_as(branch_a1_user).post(
        reverse("contests:copy", args=[template.pk]),
        {"organization": county.village_a1.pk, "name": "复制", "period_label": "2027年"},
    )
    assert page.status_code == 200 and REFUSED in page.content.decode()
    assert not Contest.objects.filter(name="复制").exists()


def test_the_copy_page_lets_township_staff_organize_their_own(county, town_a_user, client_as):
    template = Contest.objects.filter(is_template=True).first()
    page = client_as(town_a_user).post(
        reverse("contests:copy", args=[template.pk]),
        {"organization": county.town_a.pk, "name": "镇内评比", "period_label": "2027年"},
    )
    assert page.status_code == 302
    assert Contest.objects.get(name="镇内评比").organization == county.town_a
