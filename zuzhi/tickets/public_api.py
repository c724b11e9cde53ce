"""The household's public API (no login): `POST /api/public/tickets` submits a request from
a household's QR code with an SMS code got from `POST /api/public/tickets/codes`. Thin
adapters over `tickets.public`, the same rules and limits as the page /h/<token>/."""

from ninja import Field, Router, Schema, Status

from zuzhi.core.context import client_ip
from zuzhi.core.params import ObjectId

from . import public

public_router = Router(tags=["群众扫码提交诉求（无需登录）"], auth=None)


class CodeIn(Schema):
    token: str = Field(..., max_length=32, description="联系卡二维码中的住户码")
    phone: str = Field(..., max_length=20)


class PublicTicketIn(Schema):
    token: str = Field(..., max_length=32, description="联系卡二维码中的住户码")
    type_id: ObjectId
    description: str = Field(..., max_length=2000)
    phone: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10)


class SubmittedOut(Schema):
    message: str
    member_name: str


@public_router.post("/codes", summary="获取提交诉求的短信验证码")
def public_ticket_code(request, payload: CodeIn):
    household = public.public_household_get(token=payload.token)
    public.household_code_send(household=household, phone=payload.phone, ip=client_ip(request))
    return {"message": "验证码已发送。"}


@public_router.post(
    "", response={201: SubmittedOut}, summary="群众提交诉求（手机号须经短信验证码验证）"
)
def public_ticket_submit(request, payload: PublicTicketIn):
    household = public.public_household_get(token=payload.token)
    public.public_ticket_submit(
        household=household,
        type_id=payload.type_id,
        description=payload.description,
        phone=payload.phone,
        code=payload.code,
        ip=client_ip(request),
    )
    return Status(201, {"message": "诉求已提交。", "member_name": household.member.name})
