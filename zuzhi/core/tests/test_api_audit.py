from zuzhi.accounts.services import token_issue
from zuzhi.orgs.services import org_update


def get_audit(client, user, **params):
    return client.get(
        "/api/audit", params, HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}"
    ).json()


def test_audit_api_is_scoped(client, county, town_a_user, town_b_user, auditor_user, sysadmin_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲"})
    org_update(actor=town_b_user, org=county.village_b1, data={"secretary_name": "乙"})
    b_rows = get_audit(client, town_b_user, action="update")["items"]
    assert [r["target_repr"] for r in b_rows] == ["张湾村党支部"]
    all_rows = get_audit(client, auditor_user, action="update")["items"]
    assert {r["target_repr"] for r in all_rows} == {"张湾村党支部", "李庄村党支部"}
    assert get_audit(client, sysadmin_user, action="update")["items"] == []
