import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId, ObjectIds
from zuzhi.orgs.selectors import org_get, org_param

from . import selectors, services
from .models import MeetingKind

router = Router(tags=["组织生活"])


class MeetingOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    kind: MeetingKind
    date: datetime.date
    topic: str
    location: str
    minutes: str
    attendee_ids: list[int]
    absences: dict[int, str]

    @staticmethod
    def resolve_attendee_ids(obj):
        return sorted(obj.attendees.values_list("pk", flat=True))

    @staticmethod
    def resolve_absences(obj):
        return {a.member_id: a.reason for a in obj.absences.all()}


class MeetingIn(Schema):
    organization_id: ObjectId
    kind: MeetingKind
    date: datetime.date
    topic: str
    attendee_ids: ObjectIds
    absences: dict[ObjectId, str] = {}
    location: str = ""
    minutes: str = ""


class MeetingFilters(Schema):
    org: ObjectId | None = None
    kind: MeetingKind | None = None


class ComplianceOut(Schema):
    organization_id: int
    organization_name: str
    held: dict[str, int]
    missing: list[str]


@router.get("", response=list[MeetingOut], summary="组织生活记录")
@paginate(Page, page_size=50)
def meeting_list(request, filters: Query[MeetingFilters]):
    organization = org_param(user=request.user, value=filters.org)
    return selectors.meeting_list(user=request.user, organization=organization, kind=filters.kind)


@router.get(
    "/compliance", response=list[ComplianceOut], summary="落实情况（month / quarter / year）"
)
def compliance(request, frequency: str = "month", day: datetime.date | None = None):
    if frequency not in ("month", "quarter", "year"):
        raise ValidationError({"frequency": ["周期应为 month、quarter 或 year。"]})
    return [
        {
            "organization_id": r.organization.pk,
            "organization_name": r.organization.name,
            "held": r.held,
            "missing": r.missing,
        }
        for r in selectors.compliance(user=request.user, day=day, frequency=frequency)
    ]


@router.get("/{int:meeting_id}", response=MeetingOut, summary="组织生活详情")
def meeting_detail(request, meeting_id: ObjectId):
    return selectors.meeting_get(user=request.user, pk=meeting_id)


@router.post("", response={201: MeetingOut}, summary="记录组织生活")
def meeting_create(request, payload: MeetingIn):
    organization = org_get(user=request.user, pk=payload.organization_id)
    meeting = services.meeting_record(
        actor=request.user,
        organization=organization,
        kind=payload.kind,
        date=payload.date,
        topic=payload.topic,
        attendee_ids=payload.attendee_ids,
        absences=payload.absences,
        location=payload.location,
        minutes=payload.minutes,
    )
    return Status(201, meeting)
