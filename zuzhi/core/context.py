"""Per-request facts (IP, request id) that services need for the audit log."""

import contextvars
import ipaddress
import uuid
from dataclasses import dataclass, field

from django.conf import settings


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
    """The client's address, for the audit log and the per-IP limits. Behind the reverse
    proxy (ZUZHI_BEHIND_PROXY) REMOTE_ADDR is the proxy's own; the client's is the last
    X-Forwarded-For entry, which the proxy appends (the entries before it are whatever the
    client sent, so never trusted)."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.ZUZHI_BEHIND_PROXY:
        return remote
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote
