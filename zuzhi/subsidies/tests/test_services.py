"""The subsidy ledger's rules at their boundaries: amounts by degree, the month of arrival, the
36th and 37th months, leaving mid-month, the lock, corrections, duplicate runs, and a run's
computation being set-based."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.subsidies import payroll, services
from zuzhi.subsidies.models import (
    ApplicationStatus,
    LineKind,
    RunStatus,
    SubsidyLine,
    SubsidyRun,
)
from zuzhi.subsidies.months import add_months
from zuzhi.talent.models import Degree, TalentStatus

from .helpers import evidence, graduate, make_policy, recipient, run_for

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(talent_world):
    return make_policy(talent_world.county.county)


def line_of(run, application):
    return SubsidyLine.objects.get(run=run, application=application, correction=None)


def test_each_degree_is_paid_its_amount_in_fen(policy):
    doctor = recipient(policy, degree=Degree.DOCTOR)
    master = recipient(policy, degree=Degree.MASTER)
    bachelor = recipient(policy, degree=Degree.BACHELOR)
    run = run_for(policy, D(2025, 9, 1))
    assert line_of(run, doctor).amount_fen == 500_000
    assert line_of(run, master).amount_fen == 300_000
    assert line_of(run, bachelor).amount_fen == 100_000
    assert (run.paid_count, run.total_fen) == (3, 900_000)


def test_an_edited_amount_is_paid_by_the_next_run(policy):
    master = recipient(policy, degree=Degree.MASTER)
    run_for(policy, D(2025, 9, 1), approve=True)
    services.subsidy_policy_update(
        actor=SYSTEM, policy=policy, data={"amounts_fen": {"master": 350_000, "doctor": 500_000}}
    )
    assert line_of(run_for(policy, D(2025, 10, 1)), master).amount_fen == 350_000


@pytest.mark.parametrize(
    ("arrived", "first"),
    [
        (D(2025, 7, 15), D(2025, 7, 1)),
        (D(2025, 7, 16), D(2025, 8, 1)),
        (D(2025, 7, 1), D(2025, 7, 1)),
    ],
)
def test_the_month_of_arrival_is_paid_when_arrived_by_the_15th(policy, arrived, first):
    application = recipient(policy, arrived_on=arrived)
    assert application.first_month == first
    july = run_for(policy, D(2025, 7, 1))
    lines = SubsidyLine.objects.filter(run=july, application=application)
    if first == D(2025, 7, 1):
        assert [(x.kind, x.amount_fen) for x in lines] == [(LineKind.REGULAR, 300_000)]
    else:
        assert not lines.exists()


def test_arrived_on_the_16th_has_no_july_line_and_is_paid_from_august(policy):
    application = recipient(policy, arrived_on=D(2025, 7, 16))
    july = run_for(policy, D(2025, 7, 1), approve=True)
    assert not SubsidyLine.objects.filter(run=july, application=application).exists()
    august = run_for(policy, D(2025, 8, 1))
    assert line_of(august, application).amount_fen == 300_000


def test_month_36_is_paid_and_month_37_is_not(policy):
    application = recipient(policy, arrived_on=D(2023, 7, 1))
    assert application.last_month == D(2026, 6, 1) == add_months(application.first_month, 35)
    june = run_for(policy, D(2026, 6, 1), approve=True)
    assert line_of(june, application).kind == LineKind.REGULAR
    july = run_for(policy, D(2026, 7, 1))
    line = line_of(july, application)
    assert (line.kind, line.amount_fen) == (LineKind.STOPPED, 0)
    assert line.note == "已满发放期限，最后发放月份为2026年6月"
    july = payroll.subsidy_run_approve(actor=SYSTEM, run=july)
    # Stopped once, then no longer listed.
    august = run_for(policy, D(2026, 8, 1))
    assert not SubsidyLine.objects.filter(run=august, application=application).exists()


@pytest.mark.parametrize(
    ("left_on", "march_paid"), [(D(2026, 3, 15), False), (D(2026, 3, 16), True)]
)
def test_leaving_mid_month(policy, left_on, march_paid):
    application = recipient(policy, arrived_on=D(2025, 7, 1))
    talent = application.talent
    talent.status, talent.left_on = TalentStatus.LEFT, left_on
    talent.save()
    february = run_for(policy, D(2026, 2, 1), approve=True)
    assert line_of(february, application).kind == LineKind.REGULAR
    march = line_of(run_for(policy, D(2026, 3, 1), approve=True), application)
    assert (march.kind == LineKind.REGULAR) is march_paid
    if not march_paid:
        assert march.note == "已于2026-03-15离开本县"
    april = line_of(run_for(policy, D(2026, 4, 1)), application)
    assert (april.kind, april.amount_fen) == (LineKind.STOPPED, 0)


def test_an_approved_run_is_locked(policy):
    application = recipient(policy)
    run = run_for(policy, D(2025, 9, 1))
    line = line_of(run, application)
    payroll.subsidy_line_note(actor=SYSTEM, line=line, note="首次发放")
    run = payroll.subsidy_run_approve(actor=SYSTEM, run=run)
    with pytest.raises(ValidationError, match="已审核锁定，不能修改或重新计算"):
        payroll.subsidy_run_recompute(actor=SYSTEM, run=run)
    with pytest.raises(ValidationError, match="已审核锁定"):
        payroll.subsidy_line_note(actor=SYSTEM, line=line, note="改")
    with pytest.raises(ValidationError, match="不能再次审核"):
        payroll.subsidy_run_approve(actor=SYSTEM, run=run)
    line.refresh_from_db()
    assert line.note == "首次发放"
    assert SubsidyLine.objects.filter(run=run).count() == 1


def test_a_draft_run_recomputes_with_new_recipients(policy):
    recipient(policy)
    run = run_for(policy, D(2025, 9, 1))
    recipient(policy)
    run = payroll.subsidy_run_recompute(actor=SYSTEM, run=run)
    assert (run.status, run.paid_count, run.total_fen) == (RunStatus.DRAFT, 2, 600_000)


def test_corrections_land_in_the_next_run_referring_to_their_month(policy):
    application = recipient(policy)
    september = run_for(policy, D(2025, 9, 1), approve=True)
    payroll.subsidy_correction_create(
        actor=SYSTEM, application=application, month=D(2025, 9, 1), amount_fen=50_000, reason="漏发"
    )
    payroll.subsidy_correction_create(
        actor=SYSTEM,
        application=application,
        month=D(2025, 9, 1),
        amount_fen=-20_000,
        reason="多发",
    )
    assert SubsidyLine.objects.filter(run=september).count() == 1
    october = run_for(policy, D(2025, 10, 1))
    lines = {
        line.kind: (line.month, line.amount_fen, line.note)
        for line in SubsidyLine.objects.filter(run=october)
    }
    assert lines == {
        LineKind.REGULAR: (D(2025, 10, 1), 300_000, ""),
        LineKind.BACK_PAY: (D(2025, 9, 1), 50_000, "漏发"),
        LineKind.RECOVERY: (D(2025, 9, 1), -20_000, "多发"),
    }
    assert october.total_fen == 330_000
    # A recomputation keeps them; the next run does not pay them again.
    october = payroll.subsidy_run_recompute(actor=SYSTEM, run=october)
    assert october.total_fen == 330_000
    payroll.subsidy_run_approve(actor=SYSTEM, run=october)
    assert run_for(policy, D(2025, 11, 1)).total_fen == 300_000


def test_a_correction_joins_the_open_run(policy):
    application = recipient(policy)
    run_for(policy, D(2025, 9, 1), approve=True)
    october = run_for(policy, D(2025, 10, 1))
    payroll.subsidy_correction_create(
        actor=SYSTEM, application=application, month=D(2025, 9, 1), amount_fen=10_000, reason="补"
    )
    october.refresh_from_db()
    assert october.total_fen == 310_000
    assert SubsidyLine.objects.filter(run=october, kind=LineKind.BACK_PAY).count() == 1


def test_a_correction_needs_an_approved_run_of_its_month(policy):
    application = recipient(policy)
    run_for(policy, D(2025, 9, 1))
    with pytest.raises(ValidationError, match="2025年9月没有已审核的发放批次"):
        payroll.subsidy_correction_create(
            actor=SYSTEM, application=application, month=D(2025, 9, 1), amount_fen=1, reason="x"
        )


def test_the_same_month_twice_is_refused_with_a_clear_message(policy):
    recipient(policy)
    run_for(policy, D(2025, 9, 1))
    with pytest.raises(ValidationError, match="2025年9月的发放批次已经生成"):
        run_for(policy, D(2025, 9, 1))


def test_two_clerks_at_once_the_constraint_refuses_the_second_with_the_message(policy):
    """Both passed the checks before either wrote (PostgreSQL, two connections): the unique
    constraint refuses the second, with the same message."""
    run_for(policy, D(2025, 9, 1), approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyRun.objects.create(policy=policy, month=D(2025, 9, 1))
    real_filter = SubsidyRun.objects.filter

    def blind(*args, **kwargs):  # the other clerk's row is not seen by the checks
        return real_filter(*args, **kwargs).none()

    with (
        mock.patch.object(SubsidyRun.objects, "filter", side_effect=blind),
        pytest.raises(ValidationError, match="2025年9月的发放批次已经生成"),
    ):
        run_for(policy, D(2025, 9, 1))
    assert SubsidyRun.objects.filter(policy=policy).count() == 1


def test_runs_go_in_order_and_one_at_a_time(policy):
    recipient(policy)
    run_for(policy, D(2025, 9, 1))
    with pytest.raises(ValidationError, match="2025年9月的批次尚未审核"):
        run_for(policy, D(2025, 10, 1))
    with pytest.raises(ValidationError, match="不能再生成更早月份"):
        run_for(policy, D(2025, 8, 1))
    with pytest.raises(ValidationError, match="尚未到来"):
        payroll.subsidy_run_create(
            actor=SYSTEM, policy=policy, month=D(2026, 12, 1), today=D(2026, 11, 23)
        )


def test_approval_names_every_failed_rule_in_chinese(policy, talent_world):
    policy = services.subsidy_policy_update(
        actor=SYSTEM,
        policy=policy,
        data={
            "max_age_at_arrival": 35,
            "arrived_from": D(2023, 1, 1),
            "amounts_fen": {"doctor": 500_000, "master": 300_000},
        },
    )
    talent = graduate(
        policy.county,
        degree=Degree.BACHELOR,
        arrived_on=D(2022, 7, 1),
        id_number="411330198001010010",
    )
    application = services.subsidy_application_submit(
        actor=talent_world.office,
        policy=policy,
        talent=talent,
        data={"bank_name": "农行", "bank_account": "6228480012345678"},
        files=evidence(),
    )
    with pytest.raises(ValidationError) as refused:
        services.subsidy_application_approve(actor=talent_world.office, application=application)
    assert refused.value.messages == [
        "学历学位为“大学本科”，本政策只补贴博士研究生、硕士研究生。",
        "来县工作时间 2022-07-01 早于本政策规定的 2023-01-01。",
        "来县工作时 42 周岁，超过本政策规定的 35 周岁。",
        "用人单位未核实为本县单位，本政策只补贴在本县单位工作的人才。",
    ]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    services.subsidy_application_reject(
        actor=talent_world.office, application=application, reason="不符合学历要求"
    )
    application.refresh_from_db()
    assert (application.status, application.reject_reason) == ("rejected", "不符合学历要求")


def test_age_at_arrival_boundary(policy):
    policy = services.subsidy_policy_update(
        actor=SYSTEM, policy=policy, data={"max_age_at_arrival": 35}
    )
    # Born 1990-07-01: 35 on 2025-07-01 (qualifies), 36 from 2026-07-01.
    born = "411330199007010015"
    ok = recipient(policy, id_number=born, arrived_on=D(2025, 7, 1))
    assert ok.status == ApplicationStatus.APPROVED
    with pytest.raises(ValidationError, match="来县工作时 36 周岁"):
        recipient(policy, id_number="411330199007010031", arrived_on=D(2026, 7, 1))


def test_evidence_and_bank_account_are_checked(policy, talent_world):
    talent = graduate(policy.county)
    with pytest.raises(ValidationError) as refused:
        services.subsidy_application_submit(
            actor=talent_world.office,
            policy=policy,
            talent=talent,
            data={"bank_name": "农行", "bank_account": "12ab"},
            files={"degree_certificate": evidence()["degree_certificate"]},
        )
    errors = refused.value.message_dict
    assert errors["bank_account"] == ["银行账号应为 8 至 32 位数字。"]
    assert errors["labour_contract"] == ["请上传证明材料。"]


def test_one_open_application_per_talent_and_policy(policy):
    application = recipient(policy)
    with pytest.raises(ValidationError, match="不能重复申请"):
        recipient(policy, talent=application.talent)


def test_writes_are_the_talent_office_of_the_county_only(policy, talent_world):
    application = recipient(policy)
    for outsider in (
        talent_world.other_office,
        talent_world.county_staff,
        talent_world.township,
        talent_world.talent_user,
    ):
        with pytest.raises(Http404):
            payroll.subsidy_run_create(actor=outsider, policy=policy, month=D(2025, 9, 1))
        with pytest.raises(Http404):
            services.subsidy_policy_update(actor=outsider, policy=policy, data={"name": "改"})
        with pytest.raises(Http404):
            services.subsidy_application_reject(actor=outsider, application=application, reason="x")
    assert not SubsidyRun.objects.exists()
    run = payroll.subsidy_run_create(
        actor=talent_world.office, policy=policy, month=D(2025, 9, 1), today=D(2026, 1, 1)
    )
    payroll.subsidy_run_approve(actor=talent_world.office, run=run)
    assert AuditLog.objects.filter(target_type="subsidies.subsidyrun").count() == 2
    assert AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 12


def _run_queries(policy, n, django_assert_max_num_queries, month):
    for _ in range(n):
        recipient(policy)
    with django_assert_max_num_queries(20):
        return run_for(policy, month)


def test_a_run_is_computed_set_based(policy, django_assert_max_num_queries):
    """5 or 50 recipients, the same bounded number of queries: none per recipient."""
    run = _run_queries(policy, 5, django_assert_max_num_queries, D(2025, 8, 1))
    assert run.paid_count == 5
    payroll.subsidy_run_approve(actor=SYSTEM, run=run)
    run = _run_queries(policy, 45, django_assert_max_num_queries, D(2025, 9, 1))
    assert run.paid_count == 50


def test_a_large_run_goes_to_the_worker_with_progress(
    policy, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(3):
        recipient(policy)
    monkeypatch.setattr(payroll, "INLINE_RECIPIENTS", 2)
    with django_capture_on_commit_callbacks() as queued:
        run = run_for(policy, D(2025, 9, 1))
    assert run.status == RunStatus.QUEUED and len(queued) == 1
    assert payroll.subsidy_run_progress(run=run) == 0
    with pytest.raises(ValidationError, match="该批次尚未计算完成"):
        payroll.subsidy_run_approve(actor=SYSTEM, run=run)
    queued[0]()  # the worker takes the task (the test backend runs it at once)
    run.refresh_from_db()
    assert (run.status, run.paid_count) == (RunStatus.DRAFT, 3)
    assert payroll.subsidy_run_progress(run=run) == 3
    # Delivered twice: computed once.
    assert payroll.subsidy_run_execute(run_id=run.pk).computed_at == run.computed_at


def test_months_cannot_be_skipped(policy):
    recipient(policy)
    run_for(policy, D(2025, 9, 1), approve=True)
    with pytest.raises(ValidationError) as refused:
        run_for(policy, D(2025, 11, 1))
    assert "2025年10月" in str(refused.value)
    run_for(policy, D(2025, 10, 1))


def test_a_late_approval_starts_after_the_months_already_paid(policy):
    recipient(policy)
    run_for(policy, D(2025, 7, 1), approve=True)
    run_for(policy, D(2025, 8, 1), approve=True)
    late = recipient(policy, arrived_on=D(2025, 7, 1))  # approved in September
    assert late.first_month == D(2025, 9, 1)
    assert late.last_month == add_months(D(2025, 9, 1), 35)  # still the full 36 months
    run = run_for(policy, D(2025, 9, 1))
    assert line_of(run, late).amount_fen == 300_000


def test_a_recovery_takes_back_no_more_than_was_paid_and_only_in_the_period(policy):
    application = recipient(policy)
    run_for(policy, D(2025, 9, 1), approve=True)
    with pytest.raises(ValidationError) as refused:
        payroll.subsidy_correction_create(
            actor=SYSTEM,
            application=application,
            month=D(2025, 9, 1),
            amount_fen=-300_001,
            reason="多发",
        )
    assert "超过该月已发" in str(refused.value)
    payroll.subsidy_correction_create(
        actor=SYSTEM,
        application=application,
        month=D(2025, 9, 1),
        amount_fen=-300_000,
        reason="未到岗",
    )
    with pytest.raises(ValidationError):  # nothing left to take back
        payroll.subsidy_correction_create(
            actor=SYSTEM, application=application, month=D(2025, 9, 1), amount_fen=-1, reason="x"
        )


def test_a_lost_worker_run_can_be_computed_again(policy, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(payroll, "INLINE_RECIPIENTS", 0)
    recipient(policy)
    run = payroll.subsidy_run_create(
        actor=SYSTEM, policy=policy, month=D(2025, 9, 1), today=D(2030, 1, 1), background=True
    )
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    with pytest.raises(ValidationError):
        payroll.subsidy_run_recompute(actor=SYSTEM, run=run, background=False)
    SubsidyRun.objects.filter(pk=run.pk).update(
        status=RunStatus.COMPUTING, queued_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    run = payroll.subsidy_run_recompute(actor=SYSTEM, run=run, background=False)
    assert run.status == RunStatus.DRAFT


def test_an_approved_runs_sheet_keeps_the_payee_it_paid(policy):
    from zuzhi.subsidies.exports import finance_rows
    from zuzhi.subsidies.selectors import export_lines
    from zuzhi.talent.services import talent_update

    application = recipient(policy, name="原名")
    run = run_for(policy, D(2025, 9, 1), approve=True)
    services.subsidy_application_bank_change(
        actor=SYSTEM,
        application=application,
        bank_name="中国银行",
        bank_account="6217000011112222",
        reason="原账号已注销",
    )
    talent_update(actor=SYSTEM, talent=application.talent, data={"name": "新名"})
    [row, _total] = finance_rows(export_lines(run=run))
    assert (row[1], row[3], row[4]) == ("原名", "中国农业银行示范县支行", "6228480012345678901")
    later = run_for(policy, D(2025, 10, 1), approve=True)
    [row, _total] = finance_rows(export_lines(run=later))
    assert (row[1], row[3], row[4]) == ("新名", "中国银行", "6217000011112222")
    with pytest.raises(ValidationError):
        services.subsidy_application_bank_change(
            actor=SYSTEM, application=application, bank_name="x", bank_account="12", reason="y"
        )
