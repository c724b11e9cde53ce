import pytest

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditLog
from zuzhi.core.roles import Role
from zuzhi.orgs.services import org_update
from zuzhi.testing.factories import make_member, user_with_role


@pytest.fixture
def audit_api(client):
    def get(user, status=200, **params):
        response = client.get(
            "/api/audit", params, HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}"
        )
        assert response.status_code == status, response.content
        return response.json()

    return get


@pytest.fixture
def two_updates(county, town_a_user, town_b_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲"})
    org_update(actor=town_b_user, org=county.village_b1, data={"secretary_name": "乙"})


def reprs(page):
    return {row["target_repr"] for row in page["items"]}


def test_county_staff_read_their_scope(audit_api, county, two_updates):
    # County staff whose node is town B (the scope is the node's subtree, whatever the role).
    staff_b = user_with_role(Role.COUNTY_STAFF, county.town_b)
    assert reprs(audit_api(staff_b, action="update")) == {"张湾村党支部"}
    rows = audit_api(staff_b)
    assert "李庄村党支部" not in reprs(rows) and rows["count"] == len(rows["items"])


def test_township_branch_and_sysadmin_get_no_audit_log(
    audit_api, two_updates, town_a_user, branch_a1_user, sysadmin_user
):
    """#12 §4: the audit log is the audit administrator's and the county's."""
    for user in (town_a_user, branch_a1_user, sysadmin_user):
        audit_api(user, status=404)


def test_auditor_sees_all(audit_api, two_updates, auditor_user):
    assert reprs(audit_api(auditor_user, action="update")) == {"张湾村党支部", "李庄村党支部"}


def test_filters(audit_api, county, two_updates, auditor_user):
    by_actor = audit_api(auditor_user, actor="town_a", action="update")["items"]
    assert [(r["actor"], r["target_repr"]) for r in by_actor] == [("town_a", "李庄村党支部")]
    by_target = audit_api(
        auditor_user, target_type="orgs.organization", target_id=str(county.village_b1.pk)
    )["items"]
    assert [r["action"] for r in by_target] == ["update", "create"]
    assert by_target[0]["before"] == {"secretary_name": ""}
    assert by_target[0]["after"] == {"secretary_name": "乙"}


def test_personal_data_in_snapshots_is_masked(audit_api, county, auditor_user, county_user):
    member = make_member(county.village_a1, phone="13812345678")
    masked = audit_api(auditor_user, target_type="members.member")["items"][0]["after"]
    assert masked["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]
    assert masked["phone"] == "138****5678" and masked["name"] == "张三"
    # Encrypted at rest, they are logged as their masked copies: no role reads them here.
    shown = audit_api(county_user, target_type="members.member")["items"][0]["after"]
    assert shown["id_number"] == masked["id_number"] and shown["phone"] == "138****5678"


def test_paging_newest_first(audit_api, county, auditor_user):
    page = audit_api(auditor_user, page_size=2, page=2)
    newest = list(AuditLog.objects.order_by("-time", "-id").values_list("id", flat=True))
    assert [row["id"] for row in page["items"]] == newest[2:4]
    assert page["count"] == len(newest)


def test_audit_rows_carry_their_changes_in_labels(audit_api, county, county_user, town_a_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    row = audit_api(county_user, target_type="orgs.organization")["items"][0]
    assert {"label": "书记", "before": "—", "after": "甲书记"} in row["changes"]
