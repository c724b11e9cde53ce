"""/api/tickets (联户服务诉求): list, detail, create, and each transition as an action
(POST /api/tickets/{id}/accept, /start, /pass-to-team, /take, /resolve, /reassign, /close;
/attachments adds files without moving it).
Thin over selectors and services; phones masked by core.personal."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zuzhi.core.paging import MappedQuerySet, Page
from zuzhi.core.params import ObjectId
from zuzhi.core.personal import personal_view
from zuzhi.core.uploads import attachment_response
from zuzhi.households.models import Household

from . import rules, selectors, services
from .models import EscalationLevel, Rating, ServiceTeam, TicketChannel, TicketState

router = Router(tags=["联户服务诉求"])


class TicketOut(Schema):
    id: int
    household_id: int
    household: str = Field(..., alias="household.head_name")
    community_id: int = Field(..., alias="household.community_id")
    type_id: int
    type: str = Field(..., alias="type.name")
    channel: TicketChannel
    description: str
    contact_phone: str
    state: TicketState
    member_id: int | None
    member: str | None = None
    team_id: int | None
    taken_by_id: int | None
    created_at: datetime.datetime
    accept_due: datetime.datetime
    resolve_due: datetime.datetime
    accepted_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    resolution: str
    escalation: EscalationLevel
    reopened: int
    rating: Rating | None = None
    rating_comment: str

    @staticmethod
    def resolve_member(obj):
        return obj.member.name if obj.member_id else None

    @staticmethod
    def resolve_rating(obj):
        return obj.rating or None


class TicketAttachmentOut(Schema):
    id: int
    name: str
    url: str = Field(..., description="下载地址（按诉求的可见范围，下载留痕）")

    @staticmethod
    def resolve_url(obj):
        return reverse("api:ticket_attachment", args=[obj.ticket_id, obj.pk])


class TicketEventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    at: datetime.datetime
    actor_label: str
    note: str
    attachments: list[TicketAttachmentOut] = Field(..., alias="attachments.all")


class TicketDetailOut(TicketOut):
    events: list[TicketEventOut] = Field(..., alias="step_list")
    actions: list[str] = Field(..., alias="allowed", description="当前账号可做的办理动作")


class TicketFilters(Schema):
    state: TicketState | None = None
    type: ObjectId | None = None
    overdue: bool = False
    escalated: bool = False
    mine: bool = Field(False, description="只看本人负责的诉求（我的诉求）")


class TicketIn(Schema):
    household_id: ObjectId
    type_id: ObjectId
    description: str = Field(..., max_length=2000)
    phone: str = Field("", max_length=20)


class NoteIn(Schema):
    note: str = Field("", max_length=500)


class ResolveIn(Schema):
    resolution: str = Field(..., max_length=2000)


class PassToTeamIn(Schema):
    team_id: ObjectId
    note: str = Field("", max_length=500)


class ReassignIn(Schema):
    member_id: ObjectId
    note: str = Field("", max_length=500)


def _detail(request, ticket):
    ticket = selectors.ticket_get(user=request.user, pk=ticket.pk)
    selectors.tickets_shown(user=request.user, tickets=[ticket], where=request.path)
    ticket.step_list = list(selectors.ticket_events(ticket=ticket))
    ticket.allowed = rules.allowed_actions(request.user, ticket)
    return ticket


@router.get("", response=list[TicketOut], summary="诉求列表（本人可见范围）")
@paginate(Page, page_size=50)
def ticket_list(request, filters: Query[TicketFilters]):
    if filters.mine:
        qs = selectors.my_tickets(user=request.user)
        if filters.state:
            qs = qs.filter(state=filters.state)
    else:
        qs = selectors.ticket_list(
            user=request.user,
            state=filters.state,
            type_id=filters.type,
            overdue=filters.overdue,
            escalated=filters.escalated,
        )
    where = request.path
    return MappedQuerySet(
        qs,
        lambda row: personal_view(user=request.user, objects=[row], where=where, reveal=False)[0],
    )


@router.post("", response={201: TicketDetailOut}, summary="提交诉求（联系党员代录或社区录入）")
def ticket_create(request, payload: TicketIn):
    household = Household.objects.get_visible_or_404(request.user, pk=payload.household_id)
    ticket_type = selectors.ticket_types(active_only=True).filter(pk=payload.type_id).first()
    if ticket_type is None:
        raise ValidationError({"type_id": ["诉求类型不存在或已停用。"]})
    ticket = services.ticket_create(
        actor=request.user,
        household=household,
        ticket_type=ticket_type,
        description=payload.description,
        phone=payload.phone,
    )
    return Status(201, _detail(request, ticket))


@router.get("/{int:ticket_id}", response=TicketDetailOut, summary="一件诉求及其办理记录")
def ticket_get(request, ticket_id: ObjectId):
    return _detail(request, selectors.ticket_get(user=request.user, pk=ticket_id))


def _act(request, ticket_id, call):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    return _detail(request, call(ticket))


@router.post("/{int:ticket_id}/accept", response=TicketDetailOut, summary="受理")
def ticket_accept(request, ticket_id: ObjectId, payload: NoteIn):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_accept(actor=request.user, ticket=t, note=payload.note),
    )


@router.post("/{int:ticket_id}/start", response=TicketDetailOut, summary="开始办理")
def ticket_start(request, ticket_id: ObjectId, payload: NoteIn):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_start(actor=request.user, ticket=t, note=payload.note),
    )


@router.post("/{int:ticket_id}/pass-to-team", response=TicketDetailOut, summary="转服务团队")
def ticket_pass_to_team(request, ticket_id: ObjectId, payload: PassToTeamIn):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    team = selectors.team_choices_for(user=request.user, ticket=ticket).filter(
        pk=payload.team_id
    ).first() or _missing_team(request.user, payload.team_id)
    ticket = services.ticket_pass_to_team(
        actor=request.user, ticket=ticket, team=team, note=payload.note
    )
    return _detail(request, ticket)


def _missing_team(user, pk):
    if not ServiceTeam.objects.filter(pk=pk).exists():
        raise ValidationError({"team_id": ["服务团队不存在。"]})
    raise ValidationError({"team_id": ["不能转给该服务团队（已停用或不是本人所在联合党组织的）。"]})


@router.post("/{int:ticket_id}/take", response=TicketDetailOut, summary="团队成员承接")
def ticket_take(request, ticket_id: ObjectId, payload: NoteIn):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_take(actor=request.user, ticket=t, note=payload.note),
    )


@router.post("/{int:ticket_id}/resolve", response=TicketDetailOut, summary="办结")
def ticket_resolve(request, ticket_id: ObjectId, payload: ResolveIn):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_resolve(
            actor=request.user, ticket=t, resolution=payload.resolution
        ),
    )


@router.post("/{int:ticket_id}/reassign", response=TicketDetailOut, summary="改派（社区）")
def ticket_reassign(request, ticket_id: ObjectId, payload: ReassignIn):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    member = selectors.reassign_choices(ticket=ticket).filter(pk=payload.member_id).first()
    if member is None:
        raise ValidationError({"member_id": ["只能改派给本社区（村）有联系户、已开通账号的党员。"]})
    return _detail(
        request,
        services.ticket_reassign(
            actor=request.user, ticket=ticket, member=member, note=payload.note
        ),
    )


@router.post("/{int:ticket_id}/close", response=TicketDetailOut, summary="关闭（社区）")
def ticket_close(request, ticket_id: ObjectId, payload: NoteIn):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_close(actor=request.user, ticket=t, note=payload.note),
    )


@router.post(
    "/{int:ticket_id}/attachments",
    response=TicketDetailOut,
    summary="补充材料（上传照片或附件）",
    description="multipart：files 为一至五个文件（jpg、png、pdf、doc、docx），note 为说明。"
    "责任党员、服务团队成员和社区（镇）在诉求关闭前可以补充。",
)
def ticket_attach(
    request,
    ticket_id: ObjectId,
    files: File[list[UploadedFile]],
    note: Form[str] = "",
):
    return _act(
        request,
        ticket_id,
        lambda t: services.ticket_attach(
            actor=request.user, ticket=t, attachments=files, note=note
        ),
    )


@router.get(
    "/{int:ticket_id}/attachments/{int:attachment_id}",
    url_name="ticket_attachment",
    summary="下载诉求附件",
    response={200: None},
)
def ticket_attachment(request, ticket_id: ObjectId, attachment_id: ObjectId):
    ticket = selectors.ticket_get(user=request.user, pk=ticket_id)
    attachment = get_object_or_404(ticket.attachments, pk=attachment_id)
    return attachment_response(
        attachment.file,
        actor=request.user,
        target=ticket,
        org_path=ticket.household.community.path,
        filename=attachment.name,
    )


class TicketTypeOut(Schema):
    id: int
    name: str
    accept_hours: int
    resolve_hours: int
    order: int
    active: bool


@router.get("/types", response=list[TicketTypeOut], summary="诉求类型及时限")
def ticket_types(request):
    return list(selectors.ticket_types())
