import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zuzhi.core.paging import Page
from zuzhi.core.params import ObjectId, ObjectIds
from zuzhi.members.models import Member
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
    host_id: int | None
    recorder_id: int | None
    attendee_ids: list[int]
    absences: dict[int, str]

    @staticmethod
    def resolve_attendee_ids(obj):
        # Read from the prefetched rows: one query per page, not one per meeting.
        return sorted(m.pk for m in obj.attendees.all())

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
    host_id: ObjectId | None = None
    recorder_id: ObjectId | None = None


class MeetingUpdateIn(Schema):
    kind: MeetingKind
    date: datetime.date
    topic: str
    attendee_ids: ObjectIds
    absences: dict[ObjectId, str] = {}
    location: str = ""
    minutes: str = ""
    host_id: ObjectId | None = None
    recorder_id: ObjectId | None = None
    reason: str = Field("", description="会议日期超过修改期限后由乡镇（县）修改时必填")


class MeetingDeleteIn(Schema):
    reason: str


class MeetingFilters(Schema):
    org: ObjectId | None = None
    kind: MeetingKind | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class ComplianceOut(Schema):
    organization_id: int = Field(..., alias="organization.pk")
    organization_name: str = Field(..., alias="organization.name")
    held: dict[str, int]
    missing: list[str]


@router.get("", response=list[MeetingOut], summary="组织生活记录")
@paginate(Page, page_size=50)
def meeting_list(request, filters: Query[MeetingFilters]):
    organization = org_param(user=request.user, value=filters.org)
    return selectors.meeting_list(
        user=request.user,
        organization=organization,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).prefetch_related(Prefetch("attendees", queryset=Member.objects.only("pk")), "absences")


@router.get(
    "/compliance", response=list[ComplianceOut], summary="落实情况（month / quarter / year）"
)
@paginate(Page, page_size=100)
def compliance(
    request, frequency: str = "month", day: datetime.date | None = None, missing: bool = False
):
    """Each branch in scope, paged (a province has 150,000): the required meetings of the
    period held and missing; `missing=true` keeps the branches missing one."""
    if frequency not in ("month", "quarter", "year"):
        raise ValidationError({"frequency": ["周期应为 month、quarter 或 year。"]})
    return selectors.compliance(
        user=request.user, day=day, frequency=frequency, missing_only=missing
    )


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
        host_id=payload.host_id,
        recorder_id=payload.recorder_id,
    )
    return Status(201, meeting)


@router.put("/{int:meeting_id}", response=MeetingOut, summary="修改会议记录")
def meeting_update(request, meeting_id: ObjectId, payload: MeetingUpdateIn):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    data = payload.dict()
    return services.meeting_update(actor=request.user, meeting=meeting, **data)


@router.delete("/{int:meeting_id}", response={204: None}, summary="删除会议记录（须说明原因）")
def meeting_delete(request, meeting_id: ObjectId, payload: MeetingDeleteIn):
    meeting = selectors.meeting_get(user=request.user, pk=meeting_id)
    services.meeting_delete(actor=request.user, meeting=meeting, reason=payload.reason)
    return Status(204, None)
