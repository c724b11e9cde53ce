"""Writes of the subsidy ledger (人才补贴): policies, applications and their approval, monthly
payroll runs (computed set-based, approved once, then locked) and corrections. Every write
checks the talent office's scope and is audited in its transaction."""

import datetime
import logging
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.fields import with_companions
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user
from zuzhi.core.uploads import upload_error
from zuzhi.talent.models import Degree, TalentStatus
from zuzhi.talent.scoping import require_talent_office

from . import rules
from .models import (
    ApplicationStatus,
    RunStatus,
    SubsidyApplication,
    SubsidyPolicy,
    SubsidyRun,
)
from .months import add_months

logger = logging.getLogger(__name__)

POLICY_FIELDS = [
    "name",
    "amounts_fen",
    "max_age_at_arrival",
    "require_county_employer",
    "arrived_from",
    "arrived_until",
    "duration_months",
    "active",
    "note",
]
EVIDENCE_FIELDS = ("degree_certificate", "labour_contract")
# What the log keeps of an application's account: the masked account and its blind index
# (a change the mask would hide still shows), never the account itself.
BANK_LOGGED = with_companions(SubsidyApplication, ["bank_name", "bank_account"])
APPLICATION_LOGGED = ["policy", "talent", *BANK_LOGGED]


# --- policies ---------------------------------------------------------------------------------
def _clean_amounts(amounts) -> dict[str, int]:
    if not isinstance(amounts, dict) or not amounts:
        raise ValidationError({"amounts_fen": "请至少填写一种学历学位的每月补贴标准。"})
    labels = dict(Degree.choices)
    cleaned = {}
    for degree, fen in amounts.items():
        if degree not in labels:
            raise ValidationError({"amounts_fen": f"“{degree}”不是学历学位代码。"})
        if not isinstance(fen, int) or isinstance(fen, bool) or not 0 < fen <= 100_000_000:
            raise ValidationError(
                {"amounts_fen": f"{labels[degree]}的补贴标准应为正整数（分），不超过 100 万元。"}
            )
        cleaned[degree] = fen
    return cleaned


def _check_policy(policy: SubsidyPolicy) -> None:
    policy.amounts_fen = _clean_amounts(policy.amounts_fen)
    if not 1 <= policy.duration_months <= 240:
        raise ValidationError({"duration_months": "发放期限应为 1 至 240 个月。"})
    if policy.arrived_from and policy.arrived_until and policy.arrived_from > policy.arrived_until:
        raise ValidationError({"arrived_until": "来县工作时间止不能早于起。"})
    policy.full_clean()


def subsidy_policy_create(*, actor, county, data: dict) -> SubsidyPolicy:
    require_talent_office(actor, county.path)
    policy = SubsidyPolicy(county=county, **{k: v for k, v in data.items() if k in POLICY_FIELDS})
    with transaction.atomic():
        _check_policy(policy)
        policy.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=policy,
            org_path=county.path,
            after=snapshot(policy),
        )
    return policy


def subsidy_policy_update(*, actor, policy: SubsidyPolicy, data: dict) -> SubsidyPolicy:
    """Change a policy. Approved applications keep their months; runs computed from now on
    pay the amounts as they stand (locked runs keep theirs)."""
    require_talent_office(actor, policy.county.path, target=policy)
    with transaction.atomic():
        policy = SubsidyPolicy.objects.select_for_update().get(pk=policy.pk)
        before = snapshot(policy)
        for key, value in data.items():
            if key in POLICY_FIELDS:
                setattr(policy, key, value)
        _check_policy(policy)
        policy.save()
        old, new = changed_fields(before, snapshot(policy))
        if new:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=policy,
                org_path=policy.county.path,
                before=old,
                after=new,
            )
    return policy


# --- applications -----------------------------------------------------------------------------
def qualification_failures(
    *, policy: SubsidyPolicy, talent, employer_in_county: bool, on: datetime.date
) -> list[str]:
    """What keeps `talent` from the policy's subsidy on the day `on`, in Chinese (empty:
    qualifies)."""
    failures = []
    labels = dict(Degree.choices)
    if talent.degree not in policy.amounts_fen:
        allowed = "、".join(labels[d] for d in policy.amounts_fen)
        shown = labels.get(talent.degree, "未登记")
        failures.append(f"学历学位为“{shown}”，本政策只补贴{allowed}。")
    arrived = talent.arrived_on
    if arrived is None:
        failures.append("人才库中未登记来县工作时间。")
    else:
        if policy.arrived_from and arrived < policy.arrived_from:
            failures.append(
                f"来县工作时间 {arrived:%Y-%m-%d} 早于本政策规定的 {policy.arrived_from:%Y-%m-%d}。"
            )
        if policy.arrived_until and arrived > policy.arrived_until:
            failures.append(
                f"来县工作时间 {arrived:%Y-%m-%d} 晚于本政策规定的 {policy.arrived_until:%Y-%m-%d}。"
            )
        if policy.max_age_at_arrival is not None:
            if talent.birth_date is None:
                failures.append("人才库中未登记出生日期，无法核对来县工作时的年龄。")
            else:
                age = rules.age_on(talent.birth_date, arrived)
                if age > policy.max_age_at_arrival:
                    failures.append(
                        f"来县工作时 {age} 周岁，超过本政策规定的 {policy.max_age_at_arrival} 周岁。"
                    )
    if policy.require_county_employer and not employer_in_county:
        failures.append("用人单位未核实为本县单位，本政策只补贴在本县单位工作的人才。")
    if talent.status == TalentStatus.LEFT and (talent.left_on is None or talent.left_on <= on):
        failures.append("人才已离开本县。")
    return failures


def _check_application(application: SubsidyApplication, files: dict) -> None:
    errors = {}
    account = re.sub(r"\s", "", application.bank_account or "")
    if not re.fullmatch(r"\d{8,32}", account):
        errors["bank_account"] = "银行账号应为 8 至 32 位数字。"
    application.bank_account = account
    if not (application.bank_name or "").strip():
        errors["bank_name"] = "请填写开户银行。"
    for field in EVIDENCE_FIELDS:
        upload = files.get(field)
        if upload is not None:
            message = upload_error(upload)
            if message:
                errors[field] = message
            else:
                setattr(application, field, upload)
        elif not getattr(application, field):
            errors[field] = "请上传证明材料。"
    if errors:
        raise ValidationError(errors)


def subsidy_application_submit(
    *, actor, policy: SubsidyPolicy, talent, data: dict, files: dict
) -> SubsidyApplication:
    """Register a talent's application with its evidence and bank account (待审核)."""
    require_talent_office(actor, policy.county.path, target=policy)
    if talent.county_id != policy.county_id:
        raise ValidationError({"talent": "该人才不在本政策所属县的人才库中。"})
    if not policy.active:
        raise ValidationError("该政策已停止受理申请。")
    application = SubsidyApplication(
        policy=policy,
        talent=talent,
        employer_in_county=bool(data.get("employer_in_county")),
        bank_name=(data.get("bank_name") or "").strip(),
        bank_account=data.get("bank_account") or "",
    )
    _check_application(application, files)
    try:
        with transaction.atomic():
            application.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=application,
                org_path=policy.county.path,
                after=snapshot(application, APPLICATION_LOGGED),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"talent": "该人才已有本政策待审核或已通过的申请，不能重复申请。"}
        ) from exc
    return application


def _decide(application: SubsidyApplication) -> SubsidyApplication:
    locked = (
        SubsidyApplication.objects.select_for_update()
        .select_related("policy__county", "talent")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(f"该申请已审核（{locked.get_status_display()}），不能重复审核。")
    return locked


def subsidy_application_approve(
    *, actor, application: SubsidyApplication, today: datetime.date | None = None
) -> SubsidyApplication:
    """Approve after checking the policy's rules on `today` (each failure named in Chinese);
    fixes the degree paid for and the first and last paid months (rules.py)."""
    # Checked before the transaction: the refusal's audit row must not be rolled back.
    require_talent_office(actor, application.policy.county.path, target=application)
    with transaction.atomic():
        application = _decide(application)
        policy, talent = application.policy, application.talent
        failures = qualification_failures(
            policy=policy,
            talent=talent,
            employer_in_county=application.employer_in_county,
            on=today or timezone.localdate(),
        )
        if failures:
            raise ValidationError(failures)
        application.status = ApplicationStatus.APPROVED
        application.degree = talent.degree
        # Months already paid out in approved runs are not paid back: the period starts with
        # the first month no approved run has covered, and still lasts the full duration.
        paid_up_to = (
            SubsidyRun.objects.filter(policy=policy, status=RunStatus.APPROVED)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        application.first_month = rules.first_paid_month(talent.arrived_on)
        if paid_up_to and application.first_month <= paid_up_to:
            application.first_month = add_months(paid_up_to, 1)
        application.last_month = rules.last_paid_month(
            application.first_month, policy.duration_months
        )
        application.decided_at = timezone.now()
        application.decided_by = acting_user(actor)
        application.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=application,
            org_path=policy.county.path,
            before={"status": ApplicationStatus.SUBMITTED},
            after=snapshot(application, ["status", "degree", "first_month", "last_month"]),
            message="审核通过",
        )
    return application


def subsidy_application_reject(
    *, actor, application: SubsidyApplication, reason: str
) -> SubsidyApplication:
    require_talent_office(actor, application.policy.county.path, target=application)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写未通过的原因。"})
    with transaction.atomic():
        application = _decide(application)
        application.status = ApplicationStatus.REJECTED
        application.reject_reason = reason[:200]
        application.decided_at = timezone.now()
        application.decided_by = acting_user(actor)
        application.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=application,
            org_path=application.policy.county.path,
            before={"status": ApplicationStatus.SUBMITTED},
            after={"status": application.status, "reject_reason": application.reject_reason},
            message="审核未通过",
        )
    return application


def subsidy_application_bank_change(
    *, actor, application: SubsidyApplication, bank_name: str, bank_account: str, reason: str
) -> SubsidyApplication:
    """Change the account a subsidy is paid to (变更收款账号): runs computed from now on pay
    the new one (a draft run once recomputed); approved runs keep the account they paid."""
    require_talent_office(actor, application.policy.county.path, target=application)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写变更原因。"})
    with transaction.atomic():
        application = SubsidyApplication.objects.select_for_update().get(pk=application.pk)
        before = snapshot(application, BANK_LOGGED)
        application.bank_name = (bank_name or "").strip()
        application.bank_account = bank_account or ""
        _check_application(application, {})
        application.save(update_fields=["bank_name", "bank_account"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=application,
            org_path=application.policy.county.path,
            before=before,
            after=snapshot(application, BANK_LOGGED),
            message=f"变更收款账号：{reason[:200]}",
        )
    return application
