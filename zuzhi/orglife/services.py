"""Recording organizational life (组织生活). A meeting is entered once, from a phone if need be;
compliance and reminders are derived from the records. A record may be corrected or deleted by
its branch for ZUZHI_MEETING_EDIT_DAYS after the meeting; later only township or county staff
may, giving a reason, so that a record cannot quietly be rewritten before an inspection."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zuzhi.core.audit import audit_record, changed_fields, snapshot
from zuzhi.core.dates import OUT_OF_RANGE, is_plausible
from zuzhi.core.models import AuditAction
from zuzhi.core.roles import Role
from zuzhi.core.scope import acting_user, is_system, path_in, require_in_scope, role_paths
from zuzhi.core.uploads import upload_error
from zuzhi.members.models import Member, MemberStatus
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.committee import committee_member_ids
from zuzhi.orgs.figures import org_figures_refresh
from zuzhi.orgs.models import Organization
from zuzhi.points.tally import points_refresh

from .models import Meeting, MeetingAbsence, MeetingAttachment, MeetingKind

MAX_ATTACHMENTS = 10
MAX_REASON = 200
SCOPE_REFUSED = "试图修改权限范围以外组织的组织生活记录"


def _meeting_errors(
    *,
    organization: Organization,
    kind: str,
    date: datetime.date | None,
    topic: str,
    attendee_ids: list[int],
    absences: dict[int, str],
    host_id: int | None,
    recorder_id: int | None,
    already_listed: frozenset[int] = frozenset(),
) -> dict[str, list[str]]:
    """The rules a meeting record obeys, whether recorded or corrected. `already_listed`: who
    a corrected record names already (since moved away, or recorded before the committee
    was entered): naming them again is no new error."""
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
    # A corrected record may keep naming people who have since left the branch.
    allowed = set(members) | already_listed
    if set(attendee_ids) - allowed:
        errors["attendees"] = ["参会人员只能从本支部党员中选择。"]
    if set(absences) - allowed:
        errors["absences"] = ["缺席人员只能从本支部党员中选择。"]
    if set(absences) & set(attendee_ids):
        errors["absences"] = ["同一党员不能既参会又缺席。"]
    if any(not (reason or "").strip() for reason in absences.values()):
        errors.setdefault("absences", []).append("请填写每名缺席党员的原因。")
    if not attendee_ids:
        errors["attendees"] = ["请选择参会党员。"]
    if host_id is not None and host_id not in allowed:
        errors["host"] = ["主持人应为本支部党员。"]
    if recorder_id is not None and recorder_id not in allowed:
        errors["recorder"] = ["记录人应为本支部党员。"]
    if kind == MeetingKind.COMMITTEE and date is not None and "date" not in errors:
        committee = committee_member_ids(organization=organization, day=date)
        # A branch that has not entered its committee yet records as before.
        if committee and (set(attendee_ids) | set(absences)) - committee - already_listed:
            errors["attendees"] = ["支部委员会的参会人员应为本支部在任的支部委员。"]
    if kind == MeetingKind.MEMBER_ASSEMBLY and not errors:
        voting = [m for m in members.values() if m.status == MemberStatus.FULL]
        present = [
            pk for pk in attendee_ids if pk in members and members[pk].status == MemberStatus.FULL
        ]
        if voting and len(present) * 2 <= len(voting):
            errors["attendees"] = [
                f"党员大会须有半数以上有表决权的党员到会（正式党员 {len(voting)} 名，到会 {len(present)} 名）。"
            ]
    return errors


def _people(meeting: Meeting) -> set[int]:
    """The members whose points the meeting counts in: those present and those absent."""
    return {*meeting.attendees.values_list("pk", flat=True)} | {
        *meeting.absences.values_list("member_id", flat=True)
    }


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
    host_id: int | None = None,
    recorder_id: int | None = None,
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
    errors = _meeting_errors(
        organization=organization,
        kind=kind,
        date=date,
        topic=topic,
        attendee_ids=attendee_ids,
        absences=absences,
        host_id=host_id,
        recorder_id=recorder_id,
    )
    attachments = attachments or []
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [f"附件最多 {MAX_ATTACHMENTS} 个。"]
    for upload in attachments:
        if problem := upload_error(upload):
            errors.setdefault("attachments", []).append(problem)
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
            host_id=host_id,
            recorder_id=recorder_id,
            recorded_by=acting_user(actor),
        )
        meeting.attendees.set(attendee_ids)
        for upload in attachments:
            MeetingAttachment.objects.create(meeting=meeting, file=upload, name=upload.name[:200])
        MeetingAbsence.objects.bulk_create(
            MeetingAbsence(meeting=meeting, member_id=pk, reason=reason.strip())
            for pk, reason in absences.items()
        )
        # The kept figures last: attendance rows lock their members (key share) first, in the
        # order member_update locks a member and then the figures, so the two never deadlock.
        org_figures_refresh(organization_ids=[organization.pk])
        points_refresh(member_ids=_people(meeting), years=[date.year])
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


# --- corrections -----------------------------------------------------------------------------
class ChangeRule:
    """Who may still change a saved meeting record, as `meeting_change_rule` decides."""

    OPEN = "open"  # within the window: the branch corrects its own record
    WITH_REASON = "with_reason"  # past the window: township or county staff, giving a reason
    CLOSED = "closed"  # past the window, and the actor is not township or county staff


def edit_deadline(meeting: Meeting) -> datetime.date:
    """The last day on which the branch itself may correct or delete the record."""
    return meeting.date + datetime.timedelta(days=settings.ZUZHI_MEETING_EDIT_DAYS)


def _supervises(actor, organization: Organization) -> bool:
    """Township or county staff over the organization (the branch's superiors)."""
    if is_system(actor):
        return True
    roots = role_paths(actor, Role.TOWNSHIP_STAFF, Role.COUNTY_STAFF)
    return any(path_in(organization.path, root) for root in roots)


def meeting_change_rule(*, actor, meeting: Meeting) -> str:
    if timezone.localdate() <= edit_deadline(meeting):
        return ChangeRule.OPEN
    return ChangeRule.WITH_REASON if _supervises(actor, meeting.organization) else ChangeRule.CLOSED


def _require_may_change(actor, meeting: Meeting, reason: str, *, deleting: bool) -> None:
    require_in_scope(actor, meeting.organization.path, target=meeting, message=SCOPE_REFUSED)
    rule = meeting_change_rule(actor=actor, meeting=meeting)
    days = settings.ZUZHI_MEETING_EDIT_DAYS
    if rule == ChangeRule.CLOSED:
        raise ValidationError(
            {
                "__all__": [
                    f"会议日期已过 {days} 天，记录只能由乡镇（县）组织部门工作人员"
                    f"{'删除' if deleting else '修改'}，并须说明原因。"
                ]
            }
        )
    if len((reason or "").strip()) > MAX_REASON:
        raise ValidationError({"reason": [f"原因不超过 {MAX_REASON} 字。"]})
    if (deleting or rule == ChangeRule.WITH_REASON) and not (reason or "").strip():
        raise ValidationError(
            {
                "reason": [
                    "删除会议记录须说明原因。"
                    if deleting
                    else f"会议日期已过 {days} 天，修改须说明原因。"
                ]
            }
        )


def _full_snapshot(meeting: Meeting) -> dict:
    return snapshot(meeting, MEETING_FIELDS) | {
        "attendees": sorted(meeting.attendees.values_list("pk", flat=True)),
        "absences": {str(a.member_id): a.reason for a in meeting.absences.order_by("member_id")},
    }


MEETING_FIELDS = ["kind", "date", "topic", "location", "minutes", "host", "recorder"]


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    kind: str,
    date: datetime.date,
    topic: str,
    attendee_ids: list[int],
    absences: dict[int, str] | None = None,
    minutes: str = "",
    location: str = "",
    host_id: int | None = None,
    recorder_id: int | None = None,
    reason: str = "",
) -> Meeting:
    """Correct a saved meeting record (修改会议记录); the audit keeps before and after."""
    _require_may_change(actor, meeting, reason, deleting=False)
    absences = absences or {}
    listed = {*meeting.attendees.values_list("pk", flat=True)}
    listed |= {*meeting.absences.values_list("member_id", flat=True)}
    listed |= {pk for pk in (meeting.host_id, meeting.recorder_id) if pk}
    errors = _meeting_errors(
        organization=meeting.organization,
        kind=kind,
        date=date,
        topic=topic,
        attendee_ids=attendee_ids,
        absences=absences,
        host_id=host_id,
        recorder_id=recorder_id,
        already_listed=frozenset(listed),
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=meeting.pk)
        )
        before = _full_snapshot(meeting)
        counted_before, year_before = _people(meeting), meeting.date.year
        meeting.kind, meeting.date, meeting.topic = kind, date, topic.strip()
        meeting.location, meeting.minutes = location.strip(), minutes
        meeting.host_id, meeting.recorder_id = host_id, recorder_id
        meeting.save()
        meeting.attendees.set(attendee_ids)
        meeting.absences.all().delete()
        MeetingAbsence.objects.bulk_create(
            MeetingAbsence(meeting=meeting, member_id=pk, reason=r.strip())
            for pk, r in absences.items()
        )
        org_figures_refresh(organization_ids=[meeting.organization_id])
        points_refresh(member_ids=counted_before | _people(meeting), years=[year_before, date.year])
        old, new = changed_fields(before, _full_snapshot(meeting))
        if new:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=meeting,
                org_path=meeting.organization.path,
                before=old,
                after=new,
                message=reason.strip() or "修改会议记录",
            )
    return meeting


def meeting_delete(*, actor, meeting: Meeting, reason: str) -> None:
    """Delete a record entered by mistake (删除会议记录), giving the reason. The row is gone,
    so compliance, health checks and points no longer count it; the audit keeps all of it."""
    _require_may_change(actor, meeting, reason, deleting=True)
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=meeting.pk)
        )
        before = _full_snapshot(meeting) | {
            "organization": meeting.organization_id,
            "attachments": list(meeting.attachments.values_list("name", flat=True)),
        }
        files = [a.file for a in meeting.attachments.all()]
        counted = _people(meeting)
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=meeting,
            org_path=meeting.organization.path,
            before=before,
            message=reason.strip(),
        )
        meeting.delete()
        org_figures_refresh(organization_ids=[meeting.organization_id])
        points_refresh(member_ids=counted, years=[meeting.date.year])
        # The files go only once the deletion is committed.
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])
