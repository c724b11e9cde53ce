import pytest
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import (
    can_view_personal_data,
    get_in_scope_or_404,
    path_upper_bound,
    scope_queryset,
    user_scope_paths,
)
from zuzhi.orgs.models import Organization


def codes(user):
    return set(scope_queryset(user, Organization.objects.all()).values_list("code", flat=True))


def test_township_user_sees_only_own_subtree(county, town_a_user, town_b_user):
    assert codes(town_a_user) == {"TA", "VA1", "VA2"}
    assert codes(town_b_user) == {"TB", "VB1"}


def test_county_user_sees_everything(county, county_user):
    assert codes(county_user) == set(Organization.objects.values_list("code", flat=True))


def test_branch_secretary_sees_only_the_branch(county, branch_a1_user):
    assert codes(branch_a1_user) == {"VA1"}


@pytest.mark.parametrize("fixture", ["auditor_user", "sysadmin_user"])
def test_admin_roles_see_no_business_data(county, fixture, request):
    user = request.getfixturevalue(fixture)
    assert codes(user) == set()


def test_anonymous_sees_nothing(county):
    from django.contrib.auth.models import AnonymousUser

    assert codes(AnonymousUser()) == set()


def test_nested_assignments_collapse(county, town_a_user):
    from zuzhi.accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=town_a_user, role="branch_secretary", organization=county.village_a1
    )
    town_a_user._zuzhi_assignments = None
    assert user_scope_paths(town_a_user) == [county.town_a.path]


def test_out_of_scope_is_404_and_logged(county, town_b_user):
    before = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    with pytest.raises(Http404):
        get_in_scope_or_404(town_b_user, Organization.objects.all(), pk=county.village_a1.pk)
    with pytest.raises(Http404):
        get_in_scope_or_404(town_b_user, Organization.objects.all(), pk=999999)
    # Only the existing-but-forbidden object is a permission denial.
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_sibling_with_longer_id_is_not_a_descendant():
    # 00000001 and 00000010 share a prefix as strings; the range must keep them apart.
    assert path_upper_bound("00000001") == "00000002"
    assert not ("00000010" < path_upper_bound("00000001") and "00000010" >= "00000001")


def test_unmasked_view_only_for_county_staff(county, county_user, town_a_user, auditor_user):
    assert can_view_personal_data(county_user)
    assert not can_view_personal_data(town_a_user)
    assert not can_view_personal_data(auditor_user)


def test_role_paths_are_the_roots_of_one_roles_subtrees(
    county, town_a_user, django_assert_num_queries
):
    from zuzhi.accounts.models import RoleAssignment
    from zuzhi.core.roles import Role
    from zuzhi.core.scope import role_paths

    for role, org in [
        (Role.TOWNSHIP_STAFF, county.village_a1),  # nested under town A: not a root of its own
        (Role.TOWNSHIP_STAFF, county.town_b),
        (Role.COUNTY_STAFF, county.village_b1),
        (Role.JUDGE, county.county),
    ]:
        RoleAssignment.objects.create(user=town_a_user, role=role, organization=org)
    with django_assert_num_queries(1):  # the assignments are read once, then cached
        assert role_paths(town_a_user, Role.TOWNSHIP_STAFF) == [
            county.town_a.path,
            county.town_b.path,
        ]
        assert role_paths(town_a_user, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF) == [
            county.town_a.path,
            county.town_b.path,
        ]
        assert role_paths(town_a_user, Role.COUNTY_STAFF) == [county.village_b1.path]
        assert role_paths(town_a_user, Role.BRANCH_SECRETARY) == []
    from django.contrib.auth.models import AnonymousUser

    assert role_paths(AnonymousUser(), Role.COUNTY_STAFF) == []
