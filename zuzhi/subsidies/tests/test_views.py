"""The subsidy pages: the office's work, the worker's progress bar, the talent's own lines,
and nobody else seeing anything."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.subsidies import payroll, services
from zuzhi.subsidies.models import (
    ApplicationStatus,
    RunStatus,
    SubsidyApplication,
    SubsidyPolicy,
    SubsidyRun,
)
from zuzhi.talent.models import TalentStatus

from .helpers import graduate, make_policy, recipient, run_for

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def ledger(talent_world):
    policy = make_policy(talent_world.county.county)
    application = recipient(policy, talent=talent_world.talent)
    left = recipient(policy, name="离县者")
    left.talent.status, left.talent.left_on = TalentStatus.LEFT, D(2025, 8, 10)
    left.talent.save()
    run = run_for(policy, D(2025, 9, 1), approve=True)
    return policy, application, run


def test_the_office_registers_and_approves_an_application(client, talent_world):
    policy = make_policy(talent_world.county.county)
    talent = graduate(talent_world.county.county)
    client.force_login(talent_world.office)
    response = client.post(
        reverse("subsidies:application_create"),
        {
            "policy": policy.pk,
            "id_number": talent.id_number,
            "employer_in_county": "on",
            "bank_name": "农行",
            "bank_account": "6228 4800 1234 5678",
            "degree_certificate": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n"),
            "labour_contract": SimpleUploadedFile("合同.exe", b"MZ"),
        },
    )
    assert "“合同.exe”的格式不支持" in response.content.decode()
    response = client.post(
        reverse("subsidies:application_create"),
        {
            "policy": policy.pk,
            "id_number": talent.id_number,
            "employer_in_county": "on",
            "bank_name": "农行",
            "bank_account": "6228 4800 1234 5678",
            "degree_certificate": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n"),
            "labour_contract": SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n"),
        },
    )
    application = SubsidyApplication.objects.get()
    assert response.url == reverse("subsidies:application", args=[application.pk])
    assert application.bank_account == "6228480012345678"
    page = client.get(response.url).content.decode()
    assert "6228********5678" in page  # masked until revealed
    client.post(reverse("subsidies:application_approve", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    download = client.get(reverse("subsidies:application_contract", args=[application.pk]))
    assert download.status_code == 200


def test_a_refused_approval_says_what_fails(client, talent_world):
    policy = make_policy(talent_world.county.county, amounts_fen={"doctor": 500_000})
    application = services.subsidy_application_submit(
        actor=talent_world.office,
        policy=policy,
        talent=graduate(policy.county),
        data={"bank_name": "农行", "bank_account": "6228480012345678", "employer_in_county": True},
        files={
            "degree_certificate": SimpleUploadedFile("a.pdf", b"%PDF"),
            "labour_contract": SimpleUploadedFile("b.pdf", b"%PDF"),
        },
    )
    client.force_login(talent_world.office)
    response = client.post(
        reverse("subsidies:application_approve", args=[application.pk]), follow=True
    )
    assert "学历学位为“硕士研究生”，本政策只补贴博士研究生。" in response.content.decode()


def test_the_run_page_shows_why_each_stopped_recipient_is_not_paid(client, talent_world, ledger):
    policy, application, run = ledger
    client.force_login(talent_world.office)
    page = client.get(reverse("subsidies:run", args=[run.pk])).content.decode()
    assert "已于2025-08-10离开本县" in page
    assert "导出财政发放表" in page
    assert "3000.00" in page


def test_the_progress_bar_while_the_worker_computes(client, talent_world, ledger, monkeypatch):
    policy, application, run = ledger
    monkeypatch.setattr(payroll, "INLINE_RECIPIENTS", 0)
    client.force_login(talent_world.office)
    response = client.post(reverse("subsidies:runs"), {"policy": policy.pk, "month": "2025-10"})
    october = SubsidyRun.objects.get(month=D(2025, 10, 1))
    assert october.status == RunStatus.QUEUED
    page = client.get(response.url).content.decode()
    assert "<progress" in page and "已计算 0 / 2 人" in page
    payroll.subsidy_run_execute(run_id=october.pk)
    progress = client.get(reverse("subsidies:run_progress", args=[october.pk]))
    assert progress["HX-Refresh"] == "true"


def test_a_second_month_run_on_the_page_is_refused_clearly(client, talent_world, ledger):
    policy, application, run = ledger
    client.force_login(talent_world.office)
    response = client.post(reverse("subsidies:runs"), {"policy": policy.pk, "month": "2025-09"})
    assert "2025年9月的发放批次已经生成" in response.content.decode()


def test_totals_per_policy_and_year(client, talent_world, ledger):
    client.force_login(talent_world.office)
    page = client.get(reverse("subsidies:totals")).content.decode()
    assert "青年人才生活补贴" in page and "2025" in page and "3000.00" in page


def test_the_talent_sees_their_own_lines_and_nothing_else(client, talent_world, ledger):
    policy, application, run = ledger
    other = recipient(policy, name="别人")
    run_for(policy, D(2025, 10, 1), approve=True)
    client.force_login(talent_world.talent_user)
    page = client.get(reverse("subsidies:mine")).content.decode()
    assert page.count("3000.00") == 2 and "别人" not in page
    for url in [
        reverse("subsidies:home"),
        reverse("subsidies:run", args=[run.pk]),
        reverse("subsidies:application", args=[application.pk]),
        reverse("subsidies:application", args=[other.pk]),
        reverse("subsidies:run_export", args=[run.pk]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["other_office", "county_staff", "township"])
def test_others_see_nothing(client, talent_world, ledger, who):
    policy, application, run = ledger
    client.force_login(getattr(talent_world, who))
    denied = AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED)
    lists = [
        reverse("subsidies:home"),
        reverse("subsidies:applications"),
        reverse("subsidies:runs"),
        reverse("subsidies:totals"),
    ]
    if who == "other_office":  # an office of its own county: its pages hold none of ours
        for url in lists:
            page = client.get(url).content.decode()
            assert "青年人才生活补贴" not in page and "周青" not in page, url
        lists = []
    for url in [
        *lists,
        reverse("subsidies:run", args=[run.pk]),
        reverse("subsidies:application", args=[application.pk]),
        reverse("subsidies:run_export", args=[run.pk]),
    ]:
        before = denied.count()
        assert client.get(url).status_code == 404, url
        assert denied.count() == before + 1, url
    assert "3000.00" not in client.get(reverse("subsidies:mine")).content.decode()


def test_the_application_list_masks_and_exports(client, talent_world, ledger):
    client.force_login(talent_world.office)
    page = client.get(reverse("subsidies:applications")).content.decode()
    assert "6228***********8901" in page and "6228480012345678901" not in page
    response = client.get(reverse("subsidies:applications_export"))
    assert response.status_code == 200


def test_the_office_configures_a_policy_in_yuan(client, talent_world):
    client.force_login(talent_world.office)
    assert client.get(reverse("subsidies:policy_create")).status_code == 200
    data = {
        "name": "青年人才生活补贴",
        "duration_months": 36,
        "require_county_employer": "on",
        "active": "on",
        "amount_doctor": "5000",
        "amount_master": "3,000.50",
        "amount_bachelor": "1000",
    }
    response = client.post(reverse("subsidies:policy_create"), data)
    assert response.status_code == 302
    policy = SubsidyPolicy.objects.get()
    assert policy.amounts_fen == {"doctor": 500_000, "master": 300_050, "bachelor": 100_000}
    page = client.get(reverse("subsidies:policy_edit", args=[policy.pk])).content.decode()
    assert 'value="3000.50"' in page
    response = client.post(
        reverse("subsidies:policy_edit", args=[policy.pk]), {**data, "amount_master": "3千"}
    )
    assert "请填写以元为单位的金额" in response.content.decode()
    response = client.post(
        reverse("subsidies:policy_edit", args=[policy.pk]),
        {**data, "amount_doctor": "", "amount_master": "", "amount_bachelor": ""},
    )
    assert "请至少填写一种学历学位的每月补贴标准。" in response.content.decode()


def test_the_offices_home_lists_what_waits_for_it(client, talent_world):
    from .helpers import evidence

    policy = make_policy(talent_world.county.county)
    recipient(policy)
    services.subsidy_application_submit(
        actor=talent_world.office,
        policy=policy,
        talent=graduate(talent_world.county.county),
        data={"bank_name": "农业银行", "bank_account": "6228480012345678901"},
        files=evidence(),
    )
    client.force_login(talent_world.office)
    page = client.get("/").content.decode()
    assert "待审核的人才补贴申请" in page and "待审核的补贴发放批次" not in page
    run_for(policy, D(2025, 9, 1))
    assert "待审核的补贴发放批次" in client.get("/").content.decode()
    client.force_login(talent_world.county_staff)
    assert "待审核的人才补贴申请" not in client.get("/").content.decode()
