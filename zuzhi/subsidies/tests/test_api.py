"""/api/subsidy-policies and /api/subsidy-runs: the talent office of the county only."""

import datetime
import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from zuzhi.accounts.services import token_issue
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.subsidies.models import SubsidyPolicy, SubsidyRun
from zuzhi.subsidies.payroll import subsidy_run_approve

from .helpers import make_policy, recipient, run_for

pytestmark = pytest.mark.django_db
D = datetime.date


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})


@pytest.fixture
def ledger(talent_world):
    policy = make_policy(talent_world.county.county)
    application = recipient(policy, talent=talent_world.talent)
    run = run_for(policy, D(2025, 9, 1), approve=True)
    return policy, application, run


def test_the_office_configures_a_policy(talent_world):
    client = api(talent_world.office)
    response = client.post(
        "/api/subsidy-policies",
        {
            "name": "淮源英才生活补贴",
            "amounts_fen": {"doctor": 500000, "master": 300000, "bachelor": 100000},
            "max_age_at_arrival": 35,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["duration_months"], body["amounts_fen"]["master"]) == (36, 300000)
    policy = SubsidyPolicy.objects.get()
    assert policy.county == talent_world.county.county
    response = client.patch(
        f"/api/subsidy-policies/{policy.pk}",
        {"amounts_fen": {"doctor": 600000}},
        content_type="application/json",
    )
    assert response.json()["amounts_fen"] == {"doctor": 600000}
    response = client.patch(
        f"/api/subsidy-policies/{policy.pk}",
        {"amounts_fen": {"phd": 1}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["amounts_fen"] == ["“phd”不是学历学位代码。"]
    assert client.get("/api/subsidy-policies").json()["count"] == 1


def test_runs_through_the_api(talent_world, ledger):
    policy, application, run = ledger
    client = api(talent_world.office)
    listed = client.get(f"/api/subsidy-runs?policy={policy.pk}").json()
    assert listed["items"][0]["export_url"] == f"/api/subsidy-runs/{run.pk}/export"
    response = client.post(
        "/api/subsidy-runs",
        {"policy_id": policy.pk, "month": "2025-10"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    october = response.json()
    assert (october["status"], october["total_fen"], october["export_url"]) == (
        "draft",
        300000,
        None,
    )
    again = client.post(
        "/api/subsidy-runs",
        {"policy_id": policy.pk, "month": "2025-10"},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert "2025年10月的发放批次已经生成" in again.json()["errors"]["month"][0]
    lines = client.get(f"/api/subsidy-runs/{october['id']}/lines?page_size=1").json()
    assert lines["count"] == 1
    assert lines["items"][0]["amount_fen"] == 300000
    assert lines["items"][0]["id_number"] == talent_world.talent.id_number  # unmasked role
    approved = client.post(f"/api/subsidy-runs/{october['id']}/approve")
    assert approved.json()["status"] == "approved"
    twice = client.post(f"/api/subsidy-runs/{october['id']}/approve")
    assert twice.status_code == 400 and "不能再次审核" in twice.json()["message"]
    recompute = client.post(f"/api/subsidy-runs/{october['id']}/recompute")
    assert recompute.status_code == 400 and "已审核锁定" in recompute.json()["message"]


def test_the_finance_export(talent_world, ledger):
    policy, application, run = ledger
    response = api(talent_world.office).get(f"/api/subsidy-runs/{run.pk}/export")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0] == [
        "序号",
        "姓名",
        "公民身份号码",
        "开户银行",
        "银行账号",
        "金额（元）",
        "补贴月份",
        "备注",
    ]
    assert rows[1][1:7] == [
        "周青",
        talent_world.talent.id_number,
        "中国农业银行示范县支行",
        "6228480012345678901",
        "3000.00",
        "2025-09",
    ]
    assert rows[2][0] == "合计" and rows[2][5] == "3000.00"
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1
    # One unmasked view: the lines, with their payees as paid.
    assert AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 1


def test_a_draft_run_is_not_exported(talent_world, ledger):
    policy, application, run = ledger
    draft = run_for(policy, D(2025, 10, 1))
    response = api(talent_world.office).get(f"/api/subsidy-runs/{draft.pk}/export")
    assert response.status_code == 400
    assert response.json()["message"] == "只能导出已审核的发放批次。"
    subsidy_run_approve(actor=talent_world.office, run=draft)


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township", "talent_user"])
def test_everyone_else_gets_the_logged_404(talent_world, ledger, who):
    policy, application, run = ledger
    client = api(getattr(talent_world, who))
    denied = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED)
    lists = ["/api/subsidy-policies", "/api/subsidy-runs"]
    if who == "other_office":  # an office of its own county: its lists hold none of ours
        assert all(client.get(url).json()["count"] == 0 for url in lists)
        lists = []
    for method, url in [
        *(("get", url) for url in lists),
        ("get", f"/api/subsidy-policies/{policy.pk}"),
        ("get", f"/api/subsidy-runs/{run.pk}"),
        ("get", f"/api/subsidy-runs/{run.pk}/lines"),
        ("get", f"/api/subsidy-runs/{run.pk}/export"),
        ("post", f"/api/subsidy-runs/{run.pk}/approve"),
    ]:
        before = denied.count()
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert denied.count() == before + 1, url
    response = client.post(
        "/api/subsidy-runs",
        {"policy_id": policy.pk, "month": "2025-10"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert SubsidyRun.objects.count() == 1
