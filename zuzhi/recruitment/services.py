"""The recruitment pipeline (发展党员): guarded, dated steps that name the rule they enforce.

applicant → activist → development target → probationary → full member. The waiting periods
come from the regulations on recruiting Party members (中国共产党发展党员工作细则).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.phones import phone_clean
from zuzhi.core.scope import acting_user, require_in_scope
from zuzhi.members.models import Member, MemberStatus
from zuzhi.members.services import MEMBER_ORG_TYPES, add_years, member_create, member_update
from zuzhi.orgs.models import Organization

from .models import Candidate, Stage

PERSON_FIELDS = ["name", "id_number", "ethnicity", "education", "phone", "category", "work_unit"]
MAX_EXTENSION_MONTHS = 12


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


SCOPE_REFUSED = "试图办理权限范围以外的发展党员事项"


def _refuse(field: str, rule: str) -> None:
    raise ValidationError({field: [rule]})


def candidate_apply(
    *, actor, organization: Organization, applied_on: datetime.date, data: dict[str, Any]
) -> Candidate:
    """Register an application to join the Party (递交入党申请书)."""
    require_in_scope(actor, organization.path, target=organization, message=SCOPE_REFUSED)
    data = {k: v for k, v in data.items() if k in PERSON_FIELDS}
    errors: dict[str, list[str]] = {}
    if organization.org_type not in MEMBER_ORG_TYPES:
        errors["organization"] = ["入党申请由党支部（党总支）受理。"]
    if not (data.get("name") or "").strip():
        errors["name"] = ["请填写姓名。"]
    try:
        data["id_number"] = idnumber.validate(data.get("id_number") or "", living=True)
    except idnumber.IdNumberError as exc:
        errors["id_number"] = [str(exc)]
    else:
        born = idnumber.birth_date(data["id_number"])
        if applied_on and applied_on < add_years(born, 18):
            errors["applied_on"] = ["年满十八岁才能申请入党（党章第一条）。"]
        if Member.objects.filter(id_number=data["id_number"]).exists():
            errors["id_number"] = ["此人已是党员。"]
        elif (
            Candidate.objects.filter(id_number=data["id_number"])
            .exclude(stage=Stage.WITHDRAWN)
            .exists()
        ):
            errors["id_number"] = ["此人已在发展党员程序中。"]
    try:
        # The same rule as the member's 联系电话, which the candidate's becomes on joining.
        data["phone"] = phone_clean(data.get("phone") or "", landline=True)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if applied_on is None:
        errors["applied_on"] = ["请填写递交入党申请书日期。"]
    elif not is_plausible(applied_on):
        errors["applied_on"] = [OUT_OF_RANGE]
    elif applied_on > timezone.localdate():
        errors["applied_on"] = ["日期不能晚于今天。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Candidate.objects.filter(id_number=data["id_number"], stage=Stage.WITHDRAWN).delete()
        candidate = Candidate.objects.create(
            organization=organization, applied_on=applied_on, created_by=acting_user(actor), **data
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=candidate,
            org_path=organization.path,
            after=snapshot(candidate),
        )
    return candidate


NEXT = {
    Stage.APPLICANT: Stage.ACTIVIST,
    Stage.ACTIVIST: Stage.TARGET,
    Stage.TARGET: Stage.PROBATIONARY,
    Stage.PROBATIONARY: Stage.FULL,
}


def earliest_next_step(candidate: Candidate) -> datetime.date | None:
    """The first day the next step is allowed, by the waiting periods."""
    if candidate.stage == Stage.APPLICANT:
        return candidate.applied_on
    if candidate.stage == Stage.ACTIVIST:
        return add_years(candidate.activist_on, 1)
    if candidate.stage == Stage.TARGET:
        return candidate.target_on
    if candidate.stage == Stage.PROBATIONARY:
        return add_months(add_years(candidate.admitted_on, 1), candidate.extension_months)
    return None


def candidate_advance(*, actor, candidate: Candidate, on: datetime.date) -> Candidate:
    """Take the next step on date `on`, refused with the rule when it comes too early."""
    require_in_scope(
        actor, candidate.organization.path, target=candidate.organization, message=SCOPE_REFUSED
    )
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .select_related("organization")
            .get(pk=candidate.pk)
        )
        if candidate.stage not in NEXT:
            _refuse("stage", f"{candidate.get_stage_display()}没有下一步。")
        if on is None:
            _refuse("on", "请填写日期。")
        if not is_plausible(on):
            _refuse("on", OUT_OF_RANGE)
        if on > timezone.localdate():
            _refuse("on", "日期不能晚于今天。")
        earliest = earliest_next_step(candidate)
        if on < earliest:
            rule = {
                Stage.APPLICANT: "确定入党积极分子不能早于递交入党申请书。",
                Stage.ACTIVIST: "入党积极分子经过一年以上培养教育和考察，才能列为发展对象。",
                Stage.TARGET: "接收预备党员不能早于确定为发展对象。",
                Stage.PROBATIONARY: "预备期为一年（延长的加上延长期），期满才能转为正式党员。",
            }[candidate.stage]
            _refuse("on", f"{rule}最早可在 {earliest:%Y-%m-%d} 办理。")
        before = snapshot(candidate)
        stage = NEXT[candidate.stage]
        if stage == Stage.ACTIVIST:
            candidate.activist_on = on
        elif stage == Stage.TARGET:
            candidate.target_on = on
        elif stage == Stage.PROBATIONARY:
            candidate.admitted_on = on
            # The registry entry is made from the candidate's record: nothing is typed twice.
            candidate.member = member_create(
                actor=actor,
                organization=candidate.organization,
                data={f: getattr(candidate, f) for f in PERSON_FIELDS}
                | {"join_date": on, "status": MemberStatus.PROBATIONARY},
            )
        else:
            candidate.full_on = on
            member_update(
                actor=actor,
                member=candidate.member,
                data={"status": MemberStatus.FULL, "full_date": on},
            )
        candidate.stage = stage
        candidate.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=candidate,
            org_path=candidate.organization.path,
            before={k: before[k] for k in ("stage",)},
            after={"stage": stage, "on": on.isoformat()},
            message=f"发展党员：{Stage(before['stage']).label} → {candidate.get_stage_display()}",
        )
    return candidate


def candidate_extend_probation(
    *, actor, candidate: Candidate, months: int, reason: str
) -> Candidate:
    """Extend the probation once, by up to a year (延长预备期)."""
    require_in_scope(
        actor, candidate.organization.path, target=candidate.organization, message=SCOPE_REFUSED
    )
    if candidate.stage != Stage.PROBATIONARY:
        _refuse("stage", "只有预备党员可以延长预备期。")
    if candidate.extension_months:
        _refuse("extension_months", "预备期只能延长一次。")
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        _refuse("extension_months", "延长预备期不能超过一年。")
    if not reason.strip():
        _refuse("reason", "请填写延长预备期的原因。")
    with transaction.atomic():
        candidate.extension_months = months
        candidate.save(update_fields=["extension_months"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=candidate,
            org_path=candidate.organization.path,
            before={"extension_months": 0},
            after={"extension_months": months},
            message=f"延长预备期 {months} 个月：{reason.strip()}",
        )
    return candidate
