"""Organizational-life pages: thin adapters over zuzhi.orglife.services and selectors."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from zuzhi.core.dates import is_plausible
from zuzhi.core.export import xlsx_response
from zuzhi.members.models import Member
from zuzhi.members.services import MEMBER_ORG_TYPES
from zuzhi.orgs.selectors import org_list, org_param, org_scoped

from . import selectors, services
from .models import MeetingAttachment, MeetingKind

FREQUENCY_LABELS = {"month": "按月", "quarter": "按季度", "year": "按年"}


def _branch(request):
    """The branch named by ?org=, or the user's only branch."""
    value = request.GET.get("org") or request.POST.get("org")
    if value:
        return org_param(user=request.user, value=value)
    branches = list(org_scoped(user=request.user).filter(org_type__in=MEMBER_ORG_TYPES)[:2])
    return branches[0] if len(branches) == 1 else None


@login_required
def meeting_list_view(request):
    organization = _branch(request) if request.GET.get("org") else None
    kind = request.GET.get("kind") or None
    qs = selectors.meeting_list(user=request.user, organization=organization, kind=kind)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "orglife/meeting_list.html",
        {"page": page, "organization": organization, "kinds": MeetingKind.choices, "kind": kind},
    )


@login_required
def meeting_create_view(request):
    """Record a meeting in under a minute from a phone: everyone is ticked as present; untick
    the absent and give a reason."""
    organization = _branch(request)
    if organization is None:
        q = (request.GET.get("q") or "").strip()
        branches = org_scoped(user=request.user).filter(org_type__in=MEMBER_ORG_TYPES)
        if q:
            branches = org_list(user=request.user, q=q).filter(org_type__in=MEMBER_ORG_TYPES)
        return render(request, "orglife/choose_branch.html", {"branches": branches[:50], "q": q})
    members = list(Member.objects.filter(organization=organization).order_by("name"))
    errors, values = (
        {},
        {
            "kind": request.GET.get("kind") or MeetingKind.THEME_DAY,
            "date": timezone.localdate().isoformat(),
        },
    )
    if request.method == "POST":
        present = [int(pk) for pk in request.POST.getlist("present") if pk.isdigit()]
        absences = {
            m.pk: request.POST.get(f"reason_{m.pk}", "") for m in members if m.pk not in present
        }
        values = request.POST
        try:
            day = datetime.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            day = None
        try:
            meeting = services.meeting_record(
                actor=request.user,
                organization=organization,
                kind=request.POST.get("kind", ""),
                date=day,
                topic=request.POST.get("topic", ""),
                location=request.POST.get("location", ""),
                minutes=request.POST.get("minutes", ""),
                attendee_ids=present,
                absences=absences,
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, f"已记录：{meeting}")
            return redirect("orglife:detail", pk=meeting.pk)
    present_ids = (
        {int(pk) for pk in request.POST.getlist("present") if pk.isdigit()}
        if request.method == "POST"
        else {m.pk for m in members}
    )
    return render(
        request,
        "orglife/meeting_form.html",
        {
            "organization": organization,
            "members": [
                (m, m.pk in present_ids, request.POST.get(f"reason_{m.pk}", "")) for m in members
            ],
            "kinds": MeetingKind.choices,
            "values": values,
            "errors": errors,
        },
    )


@login_required
def meeting_detail_view(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    return render(
        request,
        "orglife/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.order_by("name"),
            "absences": meeting.absences.select_related("member"),
        },
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
    rows = selectors.compliance(user=request.user, day=day, frequency=frequency)
    if request.GET.get("missing"):
        rows = [r for r in rows if r.missing]
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
            "missing_count": sum(1 for r in rows if r.missing),
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
