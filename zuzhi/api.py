"""The REST API (/api/), django-ninja; handlers are thin adapters over services/selectors.

Errors always answer JSON {"message": <Chinese>, "errors": {field: [messages]}}.
"""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from zuzhi.accounts.api import PASSWORD_EXPIRED
from zuzhi.accounts.services import LoginError, LoginLocked, password_expired, token_user
from zuzhi.core.errors import RuleRefused


class BearerToken(HttpBearer):
    """Authorization: Bearer <token> from POST /api/auth/token."""

    def authenticate(self, request, token):
        user = token_user(key=token)
        if user is None:
            return None
        # The web blocks every page once the password expires, and /api/ is exempt from
        # that middleware: a token issued before the expiry must stop working as well.
        if password_expired(user=user):
            raise LoginError(PASSWORD_EXPIRED)
        request.user = user
        return user


# NUL: PostgreSQL can neither store nor compare it. A lone surrogate (JSON "\ud800"): no
# text encoding can write it, so the database driver would fail on it (a 500 on both).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


class StrictParser(Parser):
    """Every body of this API is a JSON object. ninja's Schema reads fields as attributes,
    so a list or a number would validate as a body with no fields (a PATCH answering 200
    having changed nothing); refused here instead. Characters no database can take (NUL, a
    lone surrogate) are refused in the body and the query string."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict) or _unstorable(data):
            # ninja turns any parser exception into its "cannot parse" 400 (see on_http_error).
            raise ValueError("body is not a JSON object of storable text")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        bad = [key for key, value in result.items() if _unstorable(key) or _unstorable(value)]
        if bad:
            raise NinjaValidationError(
                [{"loc": ("query", key), "type": "string_nul"} for key in bad]
            )
        return result


class ErrorOut(Schema):
    """What every error answer holds."""

    message: str = Field(..., description="给人看的中文说明")
    errors: dict[str, list[str]] = Field(
        ..., description="按字段列出的错误；不属于某一字段的在 __all__ 下；没有时为 {}"
    )


ERROR_DESCRIPTIONS = {
    400: "被业务规则拒绝，或请求体无法解析、过大",
    401: "未登录，或令牌无效、已过期（取令牌时：用户名或密码错误）",
    404: "对象不存在或不在本人权限范围内",
    422: "参数或请求体的格式不正确，errors 按字段列出",
    429: "尝试过于频繁，已暂时锁定",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
# Operations that answer more than their shape tells, by the end of their path.
EXTRA_STATUSES = {"/auth/token": {401, 429}}


def error_statuses(path: str, method: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer, read from its own description: any input
    can be malformed (422) or name an object missing or out of scope (404); a write or any
    input can be refused by a rule (400); a token is required unless the operation is public."""
    statuses = set()
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    if operation.get("security"):
        statuses.add(401)
        if has_input:
            statuses.add(404)
    if any(p.get("in") == "path" for p in operation.get("parameters") or ()):
        statuses.add(404)
    if has_input:
        statuses |= {400, 422}
    if method in WRITE_METHODS:
        statuses.add(400)
    for suffix, extra in EXTRA_STATUSES.items():
        if path.endswith(suffix):
            statuses |= extra
    return statuses


class ZuzhiAPI(NinjaAPI):
    """Declares in the OpenAPI schema the error answers each operation really gives, in one
    place for every router: a generated client can rely on them. Statuses a router declares
    itself are kept."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["Error"] = ErrorOut.model_json_schema()
        answer = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                for status in sorted(error_statuses(path, method, operation)):
                    responses.setdefault(
                        status, {"description": ERROR_DESCRIPTIONS[status], **answer}
                    )
        return schema


api = ZuzhiAPI(
    title="Zuzhi 组织工作平台 API",
    version="1",
    description="县委组织部组织工作平台接口。先用 POST /api/auth/token 获取令牌，再以 Bearer 方式调用。",
    auth=BearerToken(),
    parser=StrictParser(),
    urls_namespace="api",
)


NOT_FOUND = "未找到该对象。"
SERVER_ERROR = "服务器内部错误，请稍后再试。"


def error(request, message: str, status: int, errors: dict | None = None):
    return api.create_response(request, {"message": message, "errors": errors or {}}, status=status)


PYDANTIC_MESSAGES = {
    "missing": "必填。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "string_type": "应为文字。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "bool_parsing": "应为 true 或 false。",
    "greater_than_equal": "数值太小。",
    "less_than_equal": "数值太大。",
    "string_too_long": "内容过长。",
    "string_nul": "不能包含空字符（\\u0000）。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "请求体应为 JSON 对象。",
    "literal_error": "不是可选值。",
    "enum": "不是可选值。",
    "null": "不能为空值（null）。",
}


LOCATION_PREFIXES = {"body", "query", "path", "payload", "[key]"}


def _field_name(loc) -> str:
    """The field an error belongs to: the innermost named one, so an error in a list item or
    a dict key (attendee_ids → 0, absences → "12" → [key]) is reported on its field."""
    for part in reversed(loc):
        if isinstance(part, str) and part not in LOCATION_PREFIXES and not part.isdigit():
            return part
    return "__all__"


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    # The URL converters let only digits through, so a path parameter fails only by range
    # (an id past 64 bits): an address naming no possible object is not found, as on pages.
    if exc.errors and all(item.get("loc", ("",))[0] == "path" for item in exc.errors):
        return error(request, NOT_FOUND, 404)
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        name = _field_name(item.get("loc", ()))
        fields.setdefault(name, []).append(PYDANTIC_MESSAGES.get(item.get("type"), "格式不正确。"))
    return error(request, "提交的数据格式不正确。", 422, fields)


@api.exception_handler(DjangoValidationError)
def on_rule_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return error(request, "提交的数据有误。", 400, exc.message_dict)
    return error(request, "；".join(exc.messages), 400, {"__all__": exc.messages})


@api.exception_handler(RuleRefused)
def on_rule_refused(request, exc: RuleRefused):
    return error(request, exc.messages[0], exc.status)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, NOT_FOUND, 404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, "未登录或令牌无效、已过期，请先获取令牌。", 401)


@api.exception_handler(LoginLocked)
def on_locked(request, exc):
    return error(request, str(exc), 429)


@api.exception_handler(LoginError)
def on_login_error(request, exc):
    return error(request, str(exc), 401)


# ninja raises HttpError itself with English text ("Cannot parse request body" as 400);
# no code of ours raises it, so the message is chosen by status.
HTTP_ERROR_MESSAGES = {
    400: "请求体无法解析：应为 UTF-8 编码的 JSON 对象，文字中不能含空字符（\\u0000）"
    "或单独的代理字符（\\ud800–\\udfff）。",
    403: "没有权限。",
}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = HTTP_ERROR_MESSAGES.get(exc.status_code, "请求无法处理。")
    return error(request, message, exc.status_code)


# Django raises these while reading the body, before any parser of ours runs; unhandled they
# answer Django's English HTML page.
@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
    return error(request, f"请求体过大：除上传的文件外不能超过 {limit:g} MB。", 400)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def on_too_many_parts(request, exc):
    return error(request, "表单的字段或文件过多。", 400)


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    return error(
        request, "表单上传（multipart/form-data）的格式无法解析，请检查分隔符（boundary）。", 400
    )


# Public voting first: it is the busiest endpoint, resolved in the fewest steps.
api.add_router("/public/contests", "zuzhi.contests.api.public_router")
api.add_router("/public/tickets", "zuzhi.tickets.public_api.public_router")
api.add_router("/public/talent-demands", "zuzhi.talent_demands.api.public_router")
api.add_router("/auth", "zuzhi.accounts.api.router")
api.add_router("/orgs", "zuzhi.orgs.api.router")
api.add_router("/members", "zuzhi.members.api.router")
api.add_router("/meetings", "zuzhi.orglife.api.router")
api.add_router("/recruitment", "zuzhi.recruitment.api.router")
api.add_router("/party-stats", "zuzhi.party_stats.api.router")
api.add_router("/appraisals", "zuzhi.appraisal.api.router")
api.add_router("/contests", "zuzhi.contests.api.router")
api.add_router("/ratings", "zuzhi.ratings.api.router")
api.add_router("/cadres", "zuzhi.cadres.api.router")
# Ranks (issue #13 part 2) under the same prefix: /api/cadres/ranks/quotas, /api/cadres/{id}/ranks.
api.add_router("/cadres", "zuzhi.cadres.rank_api.router")
api.add_router("/teams", "zuzhi.cadres.team_api.router")
api.add_router("/self-nominations", "zuzhi.cadres.nomination_api.router")
api.add_router("/training", "zuzhi.training.api.router")
api.add_router("/assessments", "zuzhi.promotions.api.assessment_router")
api.add_router("/promotion-rounds", "zuzhi.promotions.api.promotion_router")
# The performance archive (issue #14): /api/cadres/{id}/archive, and the watch list.
api.add_router("/cadres", "zuzhi.archive.api.router")
api.add_router("/watch-list", "zuzhi.archive.api.watch_router")
api.add_router("/three-ones", "zuzhi.three_ones.api.router")
api.add_router("/tickets", "zuzhi.tickets.api.router")
api.add_router("/village-assignments", "zuzhi.village_work.api.router")
api.add_router("/team-appraisals", "zuzhi.team_appraisal.api.router")
api.add_router("/adjustment-cases", "zuzhi.adjustments.api.router")
api.add_router("/reserves", "zuzhi.reserves.api.router")
api.add_router("/reserve-use", "zuzhi.reserve_use.api.router")
api.add_router("/reserve-reviews", "zuzhi.joint_reviews.api.router")
api.add_router("/reserve-appraisals", "zuzhi.reserve_appraisals.api.router")
api.add_router("/reserve-training", "zuzhi.reserve_training.api.router")
api.add_router("/households", "zuzhi.households.api.router")
api.add_router("/apartments", "zuzhi.apartments.api.router")
api.add_router("/household-links", "zuzhi.households.api.link_router")
api.add_router("/talents", "zuzhi.talent.api.router")
api.add_router("/subsidy-policies", "zuzhi.subsidies.api.policy_router")
api.add_router("/subsidy-runs", "zuzhi.subsidies.api.run_router")
api.add_router("/talent-demands", "zuzhi.talent_demands.api.router")
api.add_router("/challenges", "zuzhi.challenges.api.router")
api.add_router("/audit", "zuzhi.core.api.router")
