"""Organizational-life pages: thin adapters over zuzhi.orglife.services and selectors."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zuzhi.core.dates import is_plausible
from zuzhi.core.export import pdf_document_response, xlsx_response
from zuzhi.core.paging import CappedPaginator
from zuzhi.core.params import id_param
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.committee import committee_roster
from zuzhi.orgs.models import CommitteePosition
from zuzhi.orgs.picker import filter_picker
from zuzhi.orgs.selectors import org_list, org_param, org_scoped

from . import selectors, services
from .models import MeetingAttachment, MeetingKind
from .printing import meeting_record_pdf

FREQUENCY_LABELS = {"month": "按月", "quarter": "按季度", "year": "按年"}


def _branch(request):
    """The branch named by ?org=, or the user's only branch."""
    value = request.GET.get("org") or request.POST.get("org")
    if value:
        return org_param(user=request.user, value=value)
    branches = list(org_scoped(user=request.user).filter(org_type__in=MEMBER_ORG_TYPES)[:2])
    return branches[0] if len(branches) == 1 else None


def _day(params, name: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(params.get(name, ""))
    except ValueError:
        return None
    return day if is_plausible(day) else None


EXPORT_HEADERS = ["日期", "类型", "主题", "党组织", "地点", "主持人", "记录人", "到会", "缺席"]


@login_required
def meeting_list_view(request):
    """组织生活记录, filtered by organization (with its subtree), kind and dates; exported as
    shown."""
    organization = org_param(user=request.user, value=request.GET.get("org"))
    kind = request.GET.get("kind") if request.GET.get("kind") in MeetingKind.values else None
    date_from, date_to = _day(request.GET, "from"), _day(request.GET, "to")
    qs = selectors.meeting_list(
        user=request.user,
        organization=organization,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
    )
    if request.GET.get("export") == "xlsx":
        rows = qs.annotate(
            present=Count("attendees", distinct=True), absent=Count("absences", distinct=True)
        )
        return xlsx_response(
            actor=request.user,
            filename=f"组织生活记录{'-' + organization.name if organization else ''}",
            headers=EXPORT_HEADERS,
            rows=(
                [
                    m.date,
                    m.get_kind_display(),
                    m.topic,
                    m.organization.name,
                    m.location,
                    m.host.name if m.host else "",
                    m.recorder.name if m.recorder else "",
                    m.present,
                    m.absent,
                ]
                for m in rows.iterator(chunk_size=2000)
            ),
            target_type="orglife.meeting",
            org_path=organization.path if organization else "",
        )
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "orglife/meeting_list.html",
        {
            "page": page,
            "organization": organization,
            "org_picker": filter_picker(user=request.user, chosen=organization),
            "kinds": MeetingKind.choices,
            "kind": kind,
            "date_from": date_from,
            "date_to": date_to,
            "query": query.urlencode(),
        },
    )


def _form_input(request, invitees: list[Member]) -> dict:
    """The service's arguments from the posted form: the ticked invitees attended, the others
    were absent with the reason typed next to their name."""
    present = [int(pk) for pk in request.POST.getlist("present") if pk.isdigit()]
    return {
        "kind": request.POST.get("kind", ""),
        "date": _posted_date(request.POST.get("date", "")),
        "topic": request.POST.get("topic", ""),
        "location": request.POST.get("location", ""),
        "minutes": request.POST.get("minutes", ""),
        "attendee_ids": present,
        "absences": {
            m.pk: request.POST.get(f"reason_{m.pk}", "") for m in invitees if m.pk not in present
        },
        "host_id": id_param(request.POST, "host"),
        "recorder_id": id_param(request.POST, "recorder"),
    }


def _posted_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _form_context(
    *, organization, values, invitees, from_committee, present_ids, reasons, errors
) -> dict:
    return {
        "organization": organization,
        "members": [(m, m.pk in present_ids, reasons.get(m.pk, "")) for m in invitees],
        "from_committee": from_committee,
        "branch_members": Member.objects.filter(organization=organization).order_by("name"),
        "kinds": MeetingKind.choices,
        "values": values,
        "errors": errors,
    }


def _chosen(params, default_kind: str, default_day: datetime.date) -> tuple[str, datetime.date]:
    """The kind and date the attendee list is drawn for (changing either redraws it)."""
    kind = params.get("kind") if params.get("kind") in MeetingKind.values else default_kind
    return kind, _posted_date(params.get("date", "")) or default_day


@login_required
def meeting_create_view(request):
    """Record a meeting in under a minute from a phone: everyone expected is ticked as present
    (the committee for a 支部委员会); untick the absent and give a reason."""
    organization = _branch(request)
    if organization is None:
        q = (request.GET.get("q") or "").strip()
        branches = org_scoped(user=request.user).filter(org_type__in=MEMBER_ORG_TYPES)
        if q:
            branches = org_list(user=request.user, q=q).filter(org_type__in=MEMBER_ORG_TYPES)
        return render(request, "orglife/choose_branch.html", {"branches": branches[:50], "q": q})
    params = request.POST if request.method == "POST" else request.GET
    kind, day = _chosen(params, MeetingKind.THEME_DAY, timezone.localdate())
    invitees, from_committee = selectors.meeting_invitees(
        organization=organization, kind=kind, day=day
    )
    errors: dict = {}
    secretary = next(
        (
            s.member_id
            for s in committee_roster(user=request.user, organization=organization, on=day)
            if s.position == CommitteePosition.SECRETARY
        ),
        None,
    )
    values = {"kind": kind, "date": day.isoformat(), "host": secretary}
    if request.method == "POST":
        data = _form_input(request, invitees)
        try:
            meeting = services.meeting_record(
                actor=request.user,
                organization=organization,
                attachments=request.FILES.getlist("attachments"),
                **data,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"已记录：{meeting}")
            return redirect("orglife:detail", pk=meeting.pk)
        values = request.POST.dict() | {"host": data["host_id"], "recorder": data["recorder_id"]}
        present_ids = set(data["attendee_ids"])
    else:
        present_ids = {m.pk for m in invitees}
    reasons = {m.pk: request.POST.get(f"reason_{m.pk}", "") for m in invitees}
    return render(
        request,
        "orglife/meeting_form.html",
        _form_context(
            organization=organization,
            values=values,
            invitees=invitees,
            from_committee=from_committee,
            present_ids=present_ids,
            reasons=reasons,
            errors=errors,
        )
        | {"meeting": None},
    )


@login_required
def meeting_edit_view(request, pk):
    """修改会议记录: within the window by the branch; later by township or county staff, with a
    reason."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    organization = meeting.organization
    rule = services.meeting_change_rule(actor=request.user, meeting=meeting)
    params = request.POST if request.method == "POST" else request.GET
    kind, day = _chosen(params, meeting.kind, meeting.date)
    invitees, from_committee = selectors.meeting_invitees(
        organization=organization, kind=kind, day=day
    )
    recorded = {a.pk: "" for a in meeting.attendees.all()} | {
        a.member_id: a.reason for a in meeting.absences.all()
    }
    # Whoever the record names stays listed, even off the committee now.
    invitees += [
        m
        for m in Member.objects.filter(pk__in=recorded).order_by("name")
        if m.pk not in {i.pk for i in invitees}
    ]
    errors: dict = {}
    values = {
        "kind": kind,
        "date": day.isoformat(),
        "topic": meeting.topic,
        "location": meeting.location,
        "minutes": meeting.minutes,
        "host": meeting.host_id,
        "recorder": meeting.recorder_id,
    }
    present_ids = set(meeting.attendees.values_list("pk", flat=True))
    reasons = {pk: reason for pk, reason in recorded.items() if reason}
    if request.method == "POST":
        data = _form_input(request, invitees)
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                reason=request.POST.get("reason", ""),
                **data,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, "会议记录已修改。")
            return redirect("orglife:detail", pk=meeting.pk)
        values = request.POST.dict() | {"host": data["host_id"], "recorder": data["recorder_id"]}
        present_ids = set(data["attendee_ids"])
        reasons = {m.pk: request.POST.get(f"reason_{m.pk}", "") for m in invitees}
    return render(
        request,
        "orglife/meeting_form.html",
        _form_context(
            organization=organization,
            values=values,
            invitees=invitees,
            from_committee=from_committee,
            present_ids=present_ids,
            reasons=reasons,
            errors=errors,
        )
        | {
            "meeting": meeting,
            "rule": rule,
            "deadline": services.edit_deadline(meeting),
            "edit_days": settings.ZUZHI_MEETING_EDIT_DAYS,
        },
    )


@login_required
def meeting_delete_view(request, pk):
    """删除会议记录, with the reason; the same window as editing."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    rule = services.meeting_change_rule(actor=request.user, meeting=meeting)
    errors: dict = {}
    if request.method == "POST":
        try:
            services.meeting_delete(
                actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"已删除：{meeting}")
            return redirect(f"{reverse('orglife:list')}?org={meeting.organization_id}")
    return render(
        request,
        "orglife/meeting_delete.html",
        {
            "meeting": meeting,
            "rule": rule,
            "errors": errors,
            "deadline": services.edit_deadline(meeting),
            "edit_days": settings.ZUZHI_MEETING_EDIT_DAYS,
        },
    )


def _attendance(meeting):
    return (
        list(meeting.attendees.order_by("name")),
        list(meeting.absences.select_related("member").order_by("member__name")),
    )


@login_required
def meeting_detail_view(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    attendees, absences = _attendance(meeting)
    return render(
        request,
        "orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "absences": absences,
            "rule": services.meeting_change_rule(actor=request.user, meeting=meeting),
        },
    )


@login_required
def meeting_pdf_view(request, pk):
    """The record printed as the paper form (会议记录), audited like every export."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    attendees, absences = _attendance(meeting)
    return pdf_document_response(
        actor=request.user,
        filename=f"会议记录-{meeting.organization.name}-{meeting.date:%Y%m%d}",
        content=meeting_record_pdf(meeting=meeting, attendees=attendees, absences=absences),
        target_type="orglife.meeting",
        org_path=meeting.organization.path,
        message=f"打印会议记录：{meeting}",
    )


@login_required
def compliance_view(request):
    """落实情况: which branches held the required meetings in a month, quarter or year."""
    frequency = (
        request.GET.get("frequency")
        if request.GET.get("frequency") in FREQUENCY_LABELS
        else "month"
    )
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    if not is_plausible(day):
        day = timezone.localdate()
    rows = selectors.compliance(
        user=request.user,
        day=day,
        frequency=frequency,
        missing_only=bool(request.GET.get("missing")),
    )
    required = [k for k, f in settings.ZUZHI_MEETING_FREQUENCY.items() if f == frequency]
    labels = selectors.KIND_LABELS
    period = selectors.period_of(frequency, day)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            actor=request.user,
            filename=f"组织生活落实情况{period.label}",
            headers=["组织代码", "党组织", *[labels[k] for k in required], "未开展"],
            rows=(
                [
                    r.organization.code,
                    r.organization.name,
                    *[r.held[k] for k in required],
                    "、".join(labels[k] for k in r.missing),
                ]
                for r in rows
            ),
            target_type="orglife.meeting",
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orglife/compliance.html",
        {
            "page": page,
            "entries": [(r, [(labels[k], r.held[k]) for k in required]) for r in page],
            "required": [labels[k] for k in required],
            "period": period,
            "frequency": frequency,
            "frequencies": FREQUENCY_LABELS.items(),
            "day": day,
            "missing_only": bool(request.GET.get("missing")),
            "missing_count": selectors.compliance(
                user=request.user, day=day, frequency=frequency, missing_only=True
            ).count(),
        },
    )


@login_required
def attachment_view(request, pk):
    """Download an attachment; the meeting's scope applies (files are never served publicly)."""
    attachment = MeetingAttachment.objects.select_related("meeting").filter(pk=pk).first()
    if attachment is None:
        raise Http404("未找到该附件。")
    selectors.meeting_get(user=request.user, pk=attachment.meeting_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
