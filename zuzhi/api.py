"""The REST API (/api/), django-ninja; handlers are thin adapters over services/selectors.

Errors always answer JSON {"message": <Chinese>, "errors": {field: [messages]}}.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from zuzhi.accounts.services import LoginError, LoginLocked, token_user


class BearerToken(HttpBearer):
    """Authorization: Bearer <token> from POST /api/auth/token."""

    def authenticate(self, request, token):
        user = token_user(key=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Zuzhi 组织工作平台 API",
    version="1",
    description="县委组织部组织工作平台接口。先用 POST /api/auth/token 获取令牌，再以 Bearer 方式调用。",
    auth=BearerToken(),
    urls_namespace="api",
)


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
    "string_too_long": "内容过长。",
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


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, "未找到该对象。", 404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, "未登录或令牌无效、已过期，请先获取令牌。", 401)


@api.exception_handler(LoginLocked)
def on_locked(request, exc):
    return error(request, str(exc), 429)


@api.exception_handler(LoginError)
def on_login_error(request, exc):
    return error(request, str(exc), 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, str(exc), exc.status_code)


api.add_router("/auth", "zuzhi.accounts.api.router")
api.add_router("/orgs", "zuzhi.orgs.api.router")
api.add_router("/members", "zuzhi.members.api.router")
api.add_router("/meetings", "zuzhi.orglife.api.router")
api.add_router("/recruitment", "zuzhi.recruitment.api.router")
api.add_router("/appraisals", "zuzhi.appraisal.api.router")
api.add_router("/audit", "zuzhi.core.api.router")
