import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.orgs.services import org_update


def test_township_sees_only_its_subtree_log(county, client_as, town_a_user, town_b_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    org_update(actor=town_b_user, org=county.village_b1, data={"secretary_name": "乙书记"})
    body = client_as(town_b_user).get(reverse("audit:list")).content.decode()
    assert "张湾村党支部" in body and "李庄村党支部" not in body


def test_auditor_sees_everything_including_denials(county, client_as, auditor_user, town_b_user):
    client_as(town_b_user).get(reverse("orgs:detail", args=[county.village_a1.pk]))
    body = (
        client_as(auditor_user)
        .get(reverse("audit:list"), {"action": "permission_denied"})
        .content.decode()
    )
    assert "越权访问" in body and "town_b" in body


def test_sysadmin_sees_no_business_log(county, client_as, sysadmin_user, town_a_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    body = client_as(sysadmin_user).get(reverse("audit:list")).content.decode()
    assert "李庄村党支部" not in body and "没有记录" in body


def test_audit_export_is_scoped(county, client_as, town_a_user, town_b_user):
    org_update(actor=town_a_user, org=county.village_a1, data={"secretary_name": "甲书记"})
    response = client_as(town_b_user).get(reverse("audit:list"), {"export": "xlsx"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert all("李庄村" not in str(r) for r in rows)
