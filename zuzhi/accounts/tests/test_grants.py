"""Business roles asked for by the system administrator wait for county staff (三员分立)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zuzhi.accounts import grants, services
from zuzhi.accounts.models import RoleGrant, RoleGrantStatus
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.core.scope import can_view_personal_data, user_scope_paths
from zuzhi.testing.factories import user_with_role


def new_account(sysadmin_user, username="insider"):
    return services.account_create(
        actor=sysadmin_user, username=username, full_name="某人", password="Tongbai-2026-ok"
    )


def own_password(user):
    """The person logs in and chooses their own password, as every new account must."""
    services.password_change(user=user, new_password="Own-choice-2026")


def test_sysadmin_alone_cannot_make_a_working_county_staff_account(
    county, client_as, sysadmin_user, api_as, password
):
    # The whole path a system administrator has: open an account, grant it county_staff on
    # the web, know its password. The account reads no business data until someone approves.
    client = client_as(sysadmin_user)
    client.post(
        reverse("accounts:account_create"),
        {"username": "insider", "full_name": "某人", "password": "Tongbai-2026-ok"},
    )
    insider = services.User.objects.get(username="insider")
    page = client.post(
        reverse("accounts:account_grant", args=[insider.pk]),
        {"grant-role": Role.COUNTY_STAFF, "grant-organization": county.county.pk},
    )
    assert page.status_code == 302
    assert RoleGrant.objects.get(user=insider).status == RoleGrantStatus.PENDING
    insider = services.User.objects.get(pk=insider.pk)
    assert not insider.role_assignments.exists()
    assert user_scope_paths(insider) == [] and not can_view_personal_data(insider)
    # The administrator knows the password and changes it at first login, as asked.
    services.password_change(user=insider, new_password="Tongbai-2027-ok")
    listed = api_as(insider).get("/api/orgs")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    detail = client.get(reverse("accounts:account_detail", args=[insider.pk])).content.decode()
    assert "待审批" in detail


def test_county_staff_approval_makes_the_role_effective_and_is_audited(
    county, sysadmin_user, county_user
):
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.TOWNSHIP_STAFF, organization=county.town_a
    )
    own_password(insider)
    grants.role_grant_approve(actor=county_user, grant=grant)
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.APPROVED and grant.decided_by == county_user
    insider = services.User.objects.get(pk=insider.pk)
    assert user_scope_paths(insider) == [county.town_a.path]
    asked, approved = AuditLog.objects.filter(
        target_type="accounts.user", target_id=str(insider.pk), action=AuditAction.UPDATE
    ).order_by("id")
    assert asked.actor == sysadmin_user and asked.after["pending_grant"]["role"] == "township_staff"
    assert approved.actor == county_user
    assert approved.before["roles"] == [] and approved.after["roles"] == ["township_staff@TA"]


def test_township_user_cannot_approve_a_county_grant(
    county, client_as, sysadmin_user, town_a_user, county_user
):
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.COUNTY_STAFF, organization=county.county
    )
    with pytest.raises(ValidationError):
        grants.role_grant_approve(actor=town_a_user, grant=grant)
    client = client_as(town_a_user)
    assert client.get(reverse("accounts:grant_list")).status_code == 404
    assert client.post(reverse("accounts:grant_approve", args=[grant.pk])).status_code == 404
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.PENDING and not insider.role_assignments.exists()


def test_even_a_grant_in_their_own_township_is_not_theirs_to_approve(
    county, sysadmin_user, town_a_user
):
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user,
        user=insider,
        role=Role.BRANCH_SECRETARY,
        organization=county.village_a1,
    )
    with pytest.raises(ValidationError):
        grants.role_grant_approve(actor=town_a_user, grant=grant)


def test_nobody_approves_their_own_request_or_their_own_role(county, sysadmin_user, county_user):
    # A system administrator who is also county staff still needs a second person.
    services.User.objects.get(pk=sysadmin_user.pk).role_assignments.create(
        role=Role.COUNTY_STAFF, organization=county.county
    )
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.COUNTY_STAFF, organization=county.county
    )
    admin = services.User.objects.get(pk=sysadmin_user.pk)
    with pytest.raises(ValidationError):
        grants.role_grant_approve(actor=admin, grant=grant)
    for_county_user = grants.role_grant_request(
        actor=sysadmin_user, user=county_user, role=Role.JUDGE, organization=county.county
    )
    with pytest.raises(ValidationError):
        grants.role_grant_approve(actor=county_user, grant=for_county_user)


def test_refusal_needs_a_reason_and_closes_the_request(
    county, client_as, sysadmin_user, county_user
):
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.COUNTY_STAFF, organization=county.county
    )
    client = client_as(county_user)
    listed = client.get(reverse("accounts:grant_list")).content.decode()
    assert "insider" in listed and "授权审批" in listed
    client.post(reverse("accounts:grant_refuse", args=[grant.pk]), {"reason": ""})
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.PENDING
    client.post(reverse("accounts:grant_refuse", args=[grant.pk]), {"reason": "查无此人"})
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.REFUSED and grant.reason == "查无此人"
    row = AuditLog.objects.filter(message="驳回角色授权").get()
    assert row.before["status"] == "pending" and row.after["status"] == "refused"
    # A refused grant cannot be approved afterwards.
    client.post(reverse("accounts:grant_approve", args=[grant.pk]))
    assert not insider.role_assignments.exists()


def test_approval_page_flow(county, client_as, sysadmin_user, county_user):
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.JUDGE, organization=county.county
    )
    own_password(insider)
    client = client_as(county_user)
    response = client.post(reverse("accounts:grant_approve", args=[grant.pk]))
    assert response.status_code == 302
    assert list(insider.role_assignments.values_list("role", flat=True)) == [Role.JUDGE]
    assert "没有待审批的授权" in client.get(reverse("accounts:grant_list")).content.decode()


def test_a_second_identical_request_is_refused(county, sysadmin_user):
    insider = new_account(sysadmin_user)
    grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.JUDGE, organization=county.county
    )
    with pytest.raises(ValidationError):
        grants.role_grant_request(
            actor=sysadmin_user, user=insider, role=Role.JUDGE, organization=county.county
        )


def test_command_line_still_grants_directly(county, db):
    from django.core.management import call_command

    user = user_with_role(Role.JUDGE, county.county, username="boot")
    call_command("grant-role", "boot", Role.COUNTY_STAFF, county.county.code)
    assert user.role_assignments.filter(role=Role.COUNTY_STAFF).exists()


def test_a_password_reset_sends_business_roles_back_for_approval(
    county, sysadmin_user, county_user, town_a_user
):
    # Otherwise the administrator would reset a clerk's password and read their township.
    suspended = services.account_reset_password(
        actor=sysadmin_user, user=town_a_user, new_password="Reset-2026-b"
    )
    assert suspended == 1
    clerk = services.User.objects.get(pk=town_a_user.pk)
    assert user_scope_paths(clerk) == []
    grant = RoleGrant.objects.get(user=clerk, status=RoleGrantStatus.PENDING)
    assert (grant.role, grant.organization, grant.requested_by) == (
        Role.TOWNSHIP_STAFF,
        county.town_a,
        sysadmin_user,
    )
    row = AuditLog.objects.get(message="重置密码后业务角色待重新审批")
    assert row.before["roles"] == ["township_staff@TA"] and row.after["roles"] == []
    own_password(clerk)
    grants.role_grant_approve(actor=county_user, grant=grant)
    assert user_scope_paths(services.User.objects.get(pk=clerk.pk)) == [county.town_a.path]


def test_a_grant_waits_until_the_person_chose_their_own_password(
    county, sysadmin_user, county_user, client_as
):
    # The administrator who asked for the role set the password and knows it: approving then
    # would hand them the role. The real person must have logged in and changed it first.
    insider = new_account(sysadmin_user)
    grant = grants.role_grant_request(
        actor=sysadmin_user, user=insider, role=Role.COUNTY_STAFF, organization=county.county
    )
    with pytest.raises(ValidationError, match="密码仍是系统管理员设置的"):
        grants.role_grant_approve(actor=county_user, grant=grant)
    assert not insider.role_assignments.exists()
    waiting = client_as(county_user).get(reverse("accounts:grant_list")).content.decode()
    assert "本人尚未修改系统管理员设置的密码" in waiting
    own_password(insider)
    ready = client_as(county_user).get(reverse("accounts:grant_list")).content.decode()
    assert "本人尚未修改" not in ready and "批准</button>" in ready
    grants.role_grant_approve(actor=county_user, grant=grant)
    assert insider.role_assignments.filter(role=Role.COUNTY_STAFF).exists()


@pytest.mark.parametrize("role", [Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN])
def test_an_administrators_password_cannot_be_reset_on_the_web(
    county, client_as, sysadmin_user, role
):
    # Resetting the auditor's password would let the system administrator log in as the one
    # person who reads what they do (三员分立).
    other = user_with_role(role, county.county, username="other_admin")
    before = other.password
    response = client_as(sysadmin_user).post(
        reverse("accounts:account_reset_password", args=[other.pk]),
        {"password": "Taken-over-2026"},
    )
    other.refresh_from_db()
    assert other.password == before
    assert response.status_code in (200, 302)
    with pytest.raises(ValidationError, match="管理员类账号"):
        services.account_reset_password(
            actor=sysadmin_user, user=other, new_password="Taken-over-2026"
        )
