"""The REST API (/api/), django-ninja; handlers are thin adapters over services/selectors.

Errors always answer JSON {"message": <Chinese>, "errors": {field: [messages]}}.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from zuzhi.accounts.api import PASSWORD_EXPIRED
from zuzhi.accounts.services import LoginError, LoginLocked, password_expired, token_user
from zuzhi.contests.services import VoteRefused


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


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class StrictParser(Parser):
    """Every body of this API is a JSON object. ninja's Schema reads fields as attributes,
    so a list or a number would validate as a body with no fields (a PATCH answering 200
    having changed nothing); refused here instead. NUL characters are refused in the body and
    the query string: PostgreSQL cannot store or even compare them, so they would end as a
    500 there (SQLite takes them silently)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict) or _has_nul(data):
            # ninja turns any parser exception into its "cannot parse" 400 (see on_http_error).
            raise ValueError("body is not a JSON object without NUL characters")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        bad = [key for key, value in result.items() if _has_nul(key) or _has_nul(value)]
        if bad:
            raise NinjaValidationError(
                [{"loc": ("query", key), "type": "string_nul"} for key in bad]
            )
        return result


api = NinjaAPI(
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
}


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        name = loc[-1] if loc else "__all__"
        fields.setdefault(name, []).append(PYDANTIC_MESSAGES.get(item.get("type"), "格式不正确。"))
    return error(request, "提交的数据格式不正确。", 422, fields)


@api.exception_handler(DjangoValidationError)
def on_rule_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return error(request, "提交的数据有误。", 400, exc.message_dict)
    return error(request, "；".join(exc.messages), 400, {"__all__": exc.messages})


@api.exception_handler(VoteRefused)
def on_vote_refused(request, exc: VoteRefused):
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
    400: "请求体无法解析：应为 UTF-8 编码的 JSON 对象，文字中不能含空字符（\\u0000）。",
    403: "没有权限。",
}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = HTTP_ERROR_MESSAGES.get(exc.status_code, "请求无法处理。")
    return error(request, message, exc.status_code)


# Public voting first: it is the busiest endpoint, resolved in the fewest steps.
api.add_router("/public/contests", "zuzhi.contests.api.public_router")
api.add_router("/auth", "zuzhi.accounts.api.router")
api.add_router("/orgs", "zuzhi.orgs.api.router")
api.add_router("/members", "zuzhi.members.api.router")
api.add_router("/meetings", "zuzhi.orglife.api.router")
api.add_router("/recruitment", "zuzhi.recruitment.api.router")
api.add_router("/appraisals", "zuzhi.appraisal.api.router")
api.add_router("/contests", "zuzhi.contests.api.router")
api.add_router("/ratings", "zuzhi.ratings.api.router")
api.add_router("/audit", "zuzhi.core.api.router")
