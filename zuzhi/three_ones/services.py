"""Writes of the three ones (三个一): logging a contact with the problems found, rectifying a
problem, and the county's problem types. Each checks the writer (scoping.py) before its
transaction, so a refusal's audit row outlives the rollback, then validates, saves and
audits in one transaction."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.adjustments.models import Trigger
from zuzhi.adjustments.services import triggers_evaluate
from zuzhi.cadres.models import Cadre, LeadershipTeam
from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, deny, is_system

from .models import Aspect, Contact, ContactKind, Problem, ProblemStatus, ProblemType
from .scoping import REFUSED, is_problem_type_editor, require_team_writer
from .selectors import team_members_on

TYPES_REFUSED = "试图修改三个一问题类型（仅干部科）"

# The problem types a county starts from: a default list of four per aspect after the
# 桐柏 practice of "观念、能力、作风等3个方面的12类问题" (the article does not name the twelve);
# each county edits, adds or switches off types on the configuration page.
DEFAULT_PROBLEM_TYPES: tuple[tuple[str, str], ...] = (
    (Aspect.MINDSET, "理想信念不坚定"),
    (Aspect.MINDSET, "宗旨意识淡薄"),
    (Aspect.MINDSET, "政绩观偏差"),
    (Aspect.MINDSET, "思想保守、创新意识不足"),
    (Aspect.ABILITY, "专业素养不足"),
    (Aspect.ABILITY, "统筹推进能力不强"),
    (Aspect.ABILITY, "破解难题能力不足"),
    (Aspect.ABILITY, "群众工作能力不强"),
    (Aspect.CONDUCT, "不敢担当、躺平无为"),
    (Aspect.CONDUCT, "形式主义、官僚主义"),
    (Aspect.CONDUCT, "工作作风不实"),
    (Aspect.CONDUCT, "纪律规矩意识不强"),
)


@dataclass
class ProblemInput:
    """One problem found: about `cadre`, of `problem_type`, as `description` says."""

    cadre: Cadre
    problem_type: ProblemType
    description: str


def _recorder(actor) -> tuple[Cadre | None, str]:
    if is_system(actor):
        return None, "系统"
    cadre = Cadre.objects.filter(user=actor).first()
    return cadre, cadre.name if cadre else actor.get_username()


def _contact_errors(
    *, kind: str, day: datetime.date | None, summary: str, cadres: list[Cadre], members: set
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in ContactKind.values:
        errors["kind"] = ["请选择类别（每周谈、每月一访或每季度一研）。"]
    if day is None:
        errors["date"] = ["请填写日期。"]
    elif not is_plausible(day):
        errors["date"] = [OUT_OF_RANGE]
    elif day > timezone.localdate():
        errors["date"] = ["日期不能晚于今天。"]
    if not summary:
        errors["summary"] = ["请填写了解到的情况。"]
    if kind != ContactKind.QUARTERLY_STUDY and not cadres:
        errors["cadres"] = ["请选择谈话或走访的对象。"]
    outsiders = [c.name for c in cadres if c.pk not in members]
    if outsiders and day is not None and "date" not in errors:
        errors["cadres"] = [f"{'、'.join(outsiders)}在{day:%Y-%m-%d}不是该班子成员。"]
    return errors


def _problem_errors(problems: list[ProblemInput], cadre_ids: set[int]) -> dict[str, list[str]]:
    messages = []
    for i, p in enumerate(problems, start=1):
        if p.cadre.pk not in cadre_ids:
            messages.append(f"第{i}个问题：{p.cadre.name}不是本次记录的对象。")
        if not p.problem_type.is_active:
            messages.append(f"第{i}个问题：问题类型“{p.problem_type.name}”已停用。")
        if not p.description.strip():
            messages.append(f"第{i}个问题：请填写具体表现。")
        elif len(p.description) > 2000:
            messages.append(f"第{i}个问题：具体表现不能超过2000字。")
    return {"problems": messages} if messages else {}


def contact_log(
    *,
    actor,
    team: LeadershipTeam,
    kind: str,
    date: datetime.date | None,
    cadres: list[Cadre],
    summary: str,
    problems: list[ProblemInput] = (),
) -> Contact:
    """Log a contact (登记三个一) with the team's members seen and the problems found. The
    members are those of the team on the contact's date; a quarterly study with nobody
    ticked is with the whole team. Written by the cadre section or by the team's leader
    (who does not log a talk with themselves)."""
    require_team_writer(actor, team)
    summary = (summary or "").strip()
    problems = list(problems)
    cadres = list({c.pk: c for c in cadres}.values())
    recorder_cadre, recorder_name = _recorder(actor)
    members = team_members_on(team=team, day=date) if date else Cadre.objects.none()
    member_ids = set(members.values_list("pk", flat=True))
    errors = _contact_errors(
        kind=kind, day=date, summary=summary, cadres=cadres, members=member_ids
    )
    if recorder_cadre is not None and any(c.pk == recorder_cadre.pk for c in cadres):
        errors.setdefault("cadres", []).append("记录人本人不能作为谈话或走访的对象。")
    if len(summary) > 4000:
        errors.setdefault("summary", []).append("了解到的情况不能超过4000字。")
    if not errors and not cadres:
        cadres = [c for c in members if recorder_cadre is None or c.pk != recorder_cadre.pk]
    errors |= _problem_errors(problems, {c.pk for c in cadres})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = Contact.objects.create(
            kind=kind,
            date=date,
            team=team,
            recorded_by=acting_user(actor),
            recorder_cadre=recorder_cadre,
            recorder_name=recorder_name,
            summary=summary,
        )
        contact.cadres.set(cadres)
        rows = Problem.objects.bulk_create(
            [
                Problem(
                    contact=contact,
                    cadre=p.cadre,
                    problem_type=p.problem_type,
                    found_on=date,
                    description=p.description.strip(),
                )
                for p in problems
            ]
        )
        org_path = team.organization.path
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=contact,
            org_path=org_path,
            after=snapshot(contact)
            | {"cadres": [c.pk for c in cadres], "problems": [snapshot(r) for r in rows]},
            message=f"登记{contact.get_kind_display()}：{team.name}，发现问题{len(rows)}个",
        )
        if rows:
            triggers_evaluate(
                actor=actor,
                cadre_ids=sorted({r.cadre_id for r in rows}),
                triggers=[Trigger.MISMATCH, Trigger.INACTION],
            )
    return contact


def problem_rectify(
    *, actor, problem: Problem, rectified_on: datetime.date | None, note: str
) -> Problem:
    """Record that a problem is rectified (整改销号), on a day between its finding and today."""
    team = problem.contact.team
    require_team_writer(actor, team, target=problem)
    if getattr(actor, "pk", None) is not None and problem.cadre.user_id == actor.pk:
        # Nobody handles the problems recorded about themselves (see scoping.py).
        raise deny(actor, target=problem, message=REFUSED)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if problem.status == ProblemStatus.RECTIFIED:
        errors["__all__"] = ["该问题已整改销号。"]
    if rectified_on is None:
        errors["rectified_on"] = ["请填写整改日期。"]
    elif rectified_on < problem.found_on or rectified_on > timezone.localdate():
        errors["rectified_on"] = ["整改日期应在发现问题之日和今天之间。"]
    if not note:
        errors["note"] = ["请填写整改情况。"]
    elif len(note) > 2000:
        errors["note"] = ["整改情况不能超过2000字。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        if locked.status == ProblemStatus.RECTIFIED:
            raise ValidationError({"__all__": ["该问题已整改销号。"]})
        before = snapshot(locked)
        locked.status = ProblemStatus.RECTIFIED
        locked.rectified_on = rectified_on
        locked.rectification_note = note
        locked.save(update_fields=["status", "rectified_on", "rectification_note"])
        old, new = changed_fields(before, snapshot(locked))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            org_path=team.organization.path,
            before=old,
            after=new,
            message=f"问题整改销号：{locked}",
        )
    return locked


# --- problem types (county configuration) ----------------------------------------------------
def _require_type_editor(actor, *, target=None) -> None:
    if not is_problem_type_editor(actor):
        raise deny(actor, target=target, message=TYPES_REFUSED)


def _type_validate(problem_type: ProblemType) -> None:
    problem_type.name = (problem_type.name or "").strip()
    problem_type.full_clean()


def problem_type_create(*, actor, aspect: str, name: str, sort_order: int = 0) -> ProblemType:
    """Add a problem type under an aspect (新增问题类型)."""
    _require_type_editor(actor)
    problem_type = ProblemType(aspect=aspect, name=name, sort_order=sort_order)
    _type_validate(problem_type)
    with transaction.atomic():
        problem_type.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=problem_type,
            after=snapshot(problem_type),
            message=f"新增问题类型：{problem_type}",
        )
    return problem_type


def problem_type_update(*, actor, problem_type: ProblemType, data: dict) -> ProblemType:
    """Rename, reorder or switch off a type; its aspect stays (see ProblemType)."""
    _require_type_editor(actor, target=problem_type)
    before = snapshot(problem_type)
    for field in ("name", "sort_order", "is_active"):
        if field in data:
            setattr(problem_type, field, data[field])
    _type_validate(problem_type)
    old, new = changed_fields(before, snapshot(problem_type))
    if not new:
        return problem_type
    with transaction.atomic():
        problem_type.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=problem_type,
            before=old,
            after=new,
            message=f"修改问题类型：{problem_type}",
        )
    return problem_type


def problem_types_load_defaults(*, actor) -> list[ProblemType]:
    """Add the default twelve types (DEFAULT_PROBLEM_TYPES) when the county has none; a county
    that set its own keeps them."""
    _require_type_editor(actor)
    if ProblemType.objects.exists():
        return []
    return [
        problem_type_create(actor=actor, aspect=aspect, name=name, sort_order=i)
        for i, (aspect, name) in enumerate(DEFAULT_PROBLEM_TYPES, start=1)
    ]
