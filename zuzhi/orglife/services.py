"""Recording organizational life (组织生活). A meeting is entered once, from a phone if need be;
compliance and reminders are derived from the records."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import acting_user, require_in_scope
from zuzhi.core.uploads import upload_error
from zuzhi.members.models import Member, MemberStatus
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.models import Organization

from .models import Meeting, MeetingAbsence, MeetingAttachment, MeetingKind

MAX_ATTACHMENTS = 10


def meeting_record(
    *,
    actor,
    organization: Organization,
    kind: str,
    date: datetime.date,
    topic: str,
    attendee_ids: list[int],
    absences: dict[int, str] | None = None,
    minutes: str = "",
    location: str = "",
    attachments: list | None = None,
) -> Meeting:
    """Record a meeting with who attended and who was absent and why (记录组织生活)."""
    require_in_scope(
        actor,
        organization.path,
        target=organization,
        message="试图为权限范围以外的组织记录组织生活",
    )
    absences = absences or {}
    errors: dict[str, list[str]] = {}
    if organization.org_type not in MEMBER_ORG_TYPES:
        errors["organization"] = ["组织生活以党支部（党总支）为单位记录。"]
    if kind not in MeetingKind.values:
        errors["kind"] = ["请选择会议类型。"]
    if date is None:
        errors["date"] = ["请填写日期。"]
    elif not is_plausible(date):
        errors["date"] = [OUT_OF_RANGE]
    elif date > timezone.localdate():
        errors["date"] = ["不能记录未来的会议。"]
    if not (topic or "").strip():
        errors["topic"] = ["请填写主题。"]
    members = {m.pk: m for m in Member.objects.filter(organization=organization)}
    if set(attendee_ids) - set(members):
        errors["attendees"] = ["参会人员只能从本支部党员中选择。"]
    if set(absences) - set(members):
        errors["absences"] = ["缺席人员只能从本支部党员中选择。"]
    if set(absences) & set(attendee_ids):
        errors["absences"] = ["同一党员不能既参会又缺席。"]
    if any(not (reason or "").strip() for reason in absences.values()):
        errors.setdefault("absences", []).append("请填写每名缺席党员的原因。")
    if not attendee_ids:
        errors["attendees"] = ["请选择参会党员。"]
    attachments = attachments or []
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [f"附件最多 {MAX_ATTACHMENTS} 个。"]
    for upload in attachments:
        if problem := upload_error(upload):
            errors.setdefault("attachments", []).append(problem)
    if kind == MeetingKind.MEMBER_ASSEMBLY and not errors:
        voting = [m for m in members.values() if m.status == MemberStatus.FULL]
        present = [pk for pk in attendee_ids if members[pk].status == MemberStatus.FULL]
        if voting and len(present) * 2 <= len(voting):
            errors["attendees"] = [
                f"党员大会须有半数以上有表决权的党员到会（正式党员 {len(voting)} 名，到会 {len(present)} 名）。"
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organization=organization,
            kind=kind,
            date=date,
            topic=topic.strip(),
            location=location.strip(),
            minutes=minutes,
            recorded_by=acting_user(actor),
        )
        meeting.attendees.set(attendee_ids)
        for upload in attachments:
            MeetingAttachment.objects.create(meeting=meeting, file=upload, name=upload.name[:200])
        MeetingAbsence.objects.bulk_create(
            MeetingAbsence(meeting=meeting, member_id=pk, reason=reason.strip())
            for pk, reason in absences.items()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=meeting,
            org_path=organization.path,
            after=snapshot(meeting)
            | {
                "attendees": sorted(attendee_ids),
                "absences": {str(k): v for k, v in absences.items()},
                "attachments": [a.name for a in attachments],
            },
        )
    return meeting
