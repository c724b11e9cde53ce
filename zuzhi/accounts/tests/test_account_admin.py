import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zuzhi.accounts import grants, services
from zuzhi.accounts.models import RoleAssignment, RoleGrant, User
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role


def test_sysadmin_creates_account_and_grants_business_role(county, sysadmin_user):
    user = services.account_create(
        actor=sysadmin_user, username="newclerk", full_name="新文书", password="Clerk-2026-ok"
    )
    grants.role_grant_request(
        actor=sysadmin_user, user=user, role=Role.TOWNSHIP_STAFF, organization=county.town_a
    )
    rows = AuditLog.objects.filter(target_type="accounts.user", target_id=str(user.pk))
    assert [r.action for r in rows.order_by("id")] == [AuditAction.CREATE, AuditAction.UPDATE]
    # An administrator-set password must be changed at first login.
    assert services.password_expired(user=user)


@pytest.mark.parametrize("role", [Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN])
def test_sysadmin_cannot_grant_admin_roles(county, sysadmin_user, town_a_user, role):
    with pytest.raises(ValidationError):
        grants.role_grant_request(
            actor=sysadmin_user, user=town_a_user, role=role, organization=county.county
        )
    assert not RoleAssignment.objects.filter(user=town_a_user, role=role).exists()
    assert not RoleGrant.objects.exists()


def test_sysadmin_cannot_grant_self(county, sysadmin_user):
    with pytest.raises(ValidationError):
        grants.role_grant_request(
            actor=sysadmin_user,
            user=sysadmin_user,
            role=Role.COUNTY_STAFF,
            organization=county.county,
        )


def test_township_sysadmin_cannot_grant_outside_subtree(county, town_b_user):
    local_admin = user_with_role(Role.SYSTEM_ADMIN, county.town_a, username="admin_a")
    with pytest.raises(ValidationError):
        grants.role_grant_request(
            actor=local_admin,
            user=town_b_user,
            role=Role.TOWNSHIP_STAFF,
            organization=county.town_b,
        )


def test_account_pages_are_for_sysadmin_only(
    county, client_as, town_a_user, auditor_user, county_user
):
    for user in (town_a_user, auditor_user, county_user):
        client = client_as(user)
        assert client.get(reverse("accounts:account_list")).status_code == 404
        assert (
            client.get(reverse("accounts:account_detail", args=[town_a_user.pk])).status_code == 404
        )


def test_sysadmin_pages_and_weak_password_error(county, client_as, sysadmin_user):
    client = client_as(sysadmin_user)
    assert "账号管理" in client.get(reverse("accounts:account_list")).content.decode()
    page = client.post(
        reverse("accounts:account_create"),
        {"username": "x1", "full_name": "某", "password": "short"},
    )
    assert page.status_code == 200 and "10" in page.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_deactivated_account_cannot_log_in(county, sysadmin_user, town_a_user, password):
    services.account_set_active(actor=sysadmin_user, user=town_a_user, active=False)
    with pytest.raises(services.LoginError):
        services.login_authenticate(username=town_a_user.username, password=password, ip=None)


def test_unlock_lifts_account_lockout(county, sysadmin_user, town_a_user, password):
    for _ in range(5):
        with pytest.raises(services.LoginError):
            services.login_authenticate(username=town_a_user.username, password="bad", ip=None)
    services.account_unlock(actor=sysadmin_user, user=town_a_user)
    assert services.login_authenticate(username=town_a_user.username, password=password, ip=None)


def test_unlock_lifts_lockout_from_every_address(county, sysadmin_user, town_a_user, password):
    for ip in ("10.1.1.1", "10.1.1.2"):
        for _ in range(5):
            with pytest.raises(services.LoginError):
                services.login_authenticate(username=town_a_user.username, password="bad", ip=ip)
    services.account_unlock(actor=sysadmin_user, user=town_a_user)
    for ip in ("10.1.1.1", "10.1.1.2"):
        assert services.login_authenticate(username=town_a_user.username, password=password, ip=ip)
