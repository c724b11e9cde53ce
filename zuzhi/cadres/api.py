"""`/api/cadres`: the cadre registry, `.lrmx` exchange and the appointment form (contract)."""

import datetime
from typing import Literal
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.paging import AuditPage, Page, PersonalPage
from zuzhi.core.params import ObjectId, Partial, QueryText
from zuzhi.core.personal import personal_view
from zuzhi.members.selectors import AGE_BANDS
from zuzhi.orgs.api import HistoryOut

from . import selectors, services
from .appointment_form import appointment_form_download
from .form_selectors import appointment_form_cadre
from .forms import MAX_LRMX_UPLOAD
from .lrmx import LrmxError
from .lrmx_import import lrmx_export, lrmx_filename, lrmx_preview, lrmx_upload
from .lrmx_queue import lrmx_confirm_request
from .models import LeadershipLevel, LrmxImport, Rank
from .models.scoping import is_cadre_staff

router = Router(tags=["干部"])
# What a record's history lists: its changes, not the reads and downloads also logged on it.
CHANGE_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.MOVE, AuditAction.DELETE)


class CadreOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    unit_name: str
    name: str
    id_number: str
    gender: str = Field(..., description="GB22611：1 男，2 女")
    birth_date: datetime.date | None
    ethnicity: str = Field(..., description="GB3304 民族代码")
    native_place: str
    birthplace: str
    party_joined: str = Field(..., description="入党时间，年月数字：200106（或 20010601）")
    party_joined_note: str
    work_started: str
    health: str
    phone: str
    professional_title: str
    expertise: str
    specialties: str
    full_time_education: str
    full_time_degree: str
    in_service_education: str
    in_service_degree: str
    education: str = Field(..., description="最高学历（ZB64 代码）")
    current_post: str
    leadership_level: str
    rank: str
    rank_since: datetime.date | None
    staff_grade: str
    resume: str
    is_active: bool
    member_id: int | None
    has_photo: bool


class CadreIn(Schema):
    organization_id: ObjectId
    name: str
    id_number: str
    ethnicity: str = "01"
    native_place: str = ""
    birthplace: str = ""
    party_joined: str = Field("", description="年月：1978.05、197805 或 1978年5月")
    party_joined_note: str = ""
    work_started: str = ""
    health: str = ""
    phone: str = ""
    professional_title: str = ""
    expertise: str = ""
    specialties: str = ""
    full_time_education: str = ""
    full_time_degree: str = ""
    full_time_education_school: str = ""
    full_time_degree_school: str = ""
    in_service_education: str = ""
    in_service_degree: str = ""
    in_service_education_school: str = ""
    in_service_degree_school: str = ""
    unit_name: str = ""
    current_post: str = ""
    proposed_post: str = ""
    post_to_leave: str = ""
    leadership_level: LeadershipLevel | Literal[""] = ""
    rewards_and_punishments: str = ""
    annual_assessments: str = ""
    appointment_reason: str = ""
    is_active: bool = True


class CadrePatch(CadreIn):
    organization_id: ObjectId = Field(..., description="改变所在单位（两端都须在干部科范围内）")


class CadreFilters(Schema):
    q: QueryText | None = Field(None, description="姓名、拼音首字母、完整身份号码或其末几位")
    org: ObjectId | None = Field(None, description="只列出该单位党组织及其下级的干部")
    rank: Rank | None = None
    leadership_level: LeadershipLevel | None = None
    education: QueryText | None = Field(None, description="学历（ZB64）代码或其首位：2 为本科")
    gender: Literal["1", "2"] | None = None
    age_band: Literal[tuple(b.key for b in AGE_BANDS)] | None = None
    active: bool | None = Field(True, description="true 在职（默认），false 不在职，不传为全部")


class LrmxItemOut(Schema):
    file: str
    outcome: Literal["new", "update", "unchanged", "error"]
    name: str = ""
    id_number: str = ""
    cadre_id: int | None = None
    changes: list[list[str]] = Field(..., description="[字段, 原值, 新值]")
    errors: list[str]


class LrmxImportOut(Schema):
    id: str = Field(..., description="导入批次编号；dry_run 时为空（什么也不保存）")
    status: LrmxImport.Status
    dry_run: bool
    summary: dict[str, int]
    items: list[LrmxItemOut]


def _out(request, cadre):
    personal_view(user=request.user, objects=[cadre], where=request.path)
    cadre.has_photo = bool(cadre.photo)
    return cadre


def _require_staff(user) -> None:
    if not is_cadre_staff(user):
        raise Http404("未找到该对象。")


@router.get("", response=list[CadreOut], summary="干部列表")
@paginate(Page, page_size=50)
def cadre_list(request, filters: Query[CadreFilters]):
    _require_staff(request.user)
    within = (
        None if filters.org is None else selectors.cadre_unit(user=request.user, pk=filters.org)
    )
    qs = selectors.cadre_list(
        user=request.user,
        q=filters.q or "",
        within=within,
        rank=filters.rank or "",
        leadership_level=filters.leadership_level or "",
        education=filters.education or "",
        gender=filters.gender or "",
        age_band=filters.age_band or "",
        active=filters.active,
    )
    return PersonalPage(qs, user=request.user, where=request.path)


@router.get("/{int:cadre_id}", response=CadreOut, summary="干部详情（查阅记入审计日志）")
def cadre_detail(request, cadre_id: ObjectId):
    cadre = selectors.cadre_record(user=request.user, pk=cadre_id)  # revealed and audited
    cadre.has_photo = bool(cadre.photo)
    return cadre


@router.post("", response={201: CadreOut}, summary="新增干部")
def cadre_create(request, payload: CadreIn):
    data = payload.dict()
    organization = selectors.cadre_unit(user=request.user, pk=data.pop("organization_id"))
    cadre = services.cadre_create(actor=request.user, organization=organization, data=data)
    return Status(201, _out(request, cadre))


@router.patch("/{int:cadre_id}", response=CadreOut, summary="修改干部信息（部分字段）")
def cadre_patch(request, cadre_id: ObjectId, payload: Partial[CadrePatch]):
    cadre = selectors.cadre_get(user=request.user, pk=cadre_id)
    data = dict(payload)
    if "organization_id" in data:
        unit = selectors.cadre_unit(user=request.user, pk=data.pop("organization_id"))
        if unit != cadre.organization:
            cadre = services.cadre_move(actor=request.user, cadre=cadre, organization=unit)
    cadre = services.cadre_update(actor=request.user, cadre=cadre, data=data)
    return _out(request, cadre)


@router.get("/{int:cadre_id}/history", response=list[HistoryOut], summary="干部信息变更记录")
@paginate(Page, page_size=50)
def cadre_history(request, cadre_id: ObjectId):
    cadre = selectors.cadre_get(user=request.user, pk=cadre_id)
    services.require_cadre_section(request.user, cadre.organization.path, target=cadre)
    rows = AuditLog.objects.filter(
        target_type="cadres.cadre", target_id=str(cadre.pk), action__in=CHANGE_ACTIONS
    )
    return AuditPage(rows.select_related("actor"), user=request.user, where=request.path)


@router.get(
    "/{int:cadre_id}/lrmx",
    summary="导出任免审批表（.lrmx）",
    description="导入过的文件原样保留，只改写有变化的字段；导出记入审计日志。",
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}, "description": "lrmx"}}},
)
def cadre_lrmx(request, cadre_id: ObjectId):
    cadre = selectors.cadre_get(user=request.user, pk=cadre_id)
    services.require_cadre_section(request.user, cadre.organization.path, target=cadre)
    response = HttpResponse(
        lrmx_export(actor=request.user, cadre=cadre), content_type="application/xml"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(lrmx_filename(cadre))}"
    return response


@router.get(
    "/{int:cadre_id}/appointment-form",
    summary="干部任免审批表（PDF，两页）",
    description="干部科和干部本人可打印；年龄按表上的计算年龄时间计算；打印记入审计日志。",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def cadre_appointment_form(request, cadre_id: ObjectId):
    cadre = appointment_form_cadre(user=request.user, pk=cadre_id)
    return appointment_form_download(user=request.user, cadres=[cadre])


@router.post(
    "/lrmx",
    response={200: LrmxImportOut, 201: LrmxImportOut},
    summary="导入任免审批表（一个 .lrmx 或 .zip）",
    description="multipart：file 为文件，organization_id 为新增干部所在单位。dry_run=true "
    "只返回预览（每个文件新增、更新或无变化，逐字段变化，错误），不写入。否则全部写入（201）"
    "或都不写入：有错误时返回 400，errors 按文件名列出每个文件的错误。",
)
def lrmx_import(
    request,
    file: File[UploadedFile],
    organization_id: Form[ObjectId],
    dry_run: Form[bool] = False,
):
    _require_staff(request.user)
    organization = selectors.cadre_unit(user=request.user, pk=organization_id)
    if file.size > MAX_LRMX_UPLOAD:
        raise ValidationError(
            {"file": [f"文件超过 {MAX_LRMX_UPLOAD // 1024 // 1024} MB，请分批导入。"]}
        )
    try:
        if dry_run:
            preview = lrmx_preview(
                actor=request.user,
                filename=file.name or "upload.lrmx",
                content=file.read(),
                organization=organization,
            )
            return Status(
                200, {"id": "", "status": _preview_status(preview), "dry_run": True, **preview}
            )
        job = lrmx_upload(
            actor=request.user,
            filename=file.name or "upload.lrmx",
            content=file.read(),
            organization=organization,
        )
    except LrmxError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    try:
        lrmx_confirm_request(actor=request.user, upload=job, background=False)
    except ValidationError:
        job.refresh_from_db()
        raise ValidationError(
            {i["file"]: i["errors"] for i in job.items if i["outcome"] == "error"}
        ) from None
    return Status(201, _import_out(job))


def _preview_status(preview: dict) -> str:
    return LrmxImport.Status.INVALID if preview["summary"]["error"] else LrmxImport.Status.READY


def _import_out(job: LrmxImport) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "dry_run": False,
        "summary": job.summary,
        "items": job.items,
    }
