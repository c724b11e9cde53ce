"""Per-request facts (IP, request id) that services need for the audit log."""

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "zuzhi_request_meta", default=None
)


def current_request_meta() -> RequestMeta:
    return _current.get() or RequestMeta()


def set_request_meta(meta: RequestMeta) -> contextvars.Token:
    return _current.set(meta)


def reset_request_meta(token: contextvars.Token) -> None:
    _current.reset(token)


def client_ip(request) -> str | None:
    # Only REMOTE_ADDR is trusted; a reverse proxy must set it (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR")
