"""An account's browser sessions (会话) and login history (登录记录): opened at each login,
bound to the browser that logged in, listed for their owner and ended by them at will."""

import datetime
import hashlib
import ipaddress
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.scope import deny

from .models import LoginSession, SessionEnd, User

# How stale the 最近活动 time may get: one write a minute per session, not one per page.
TOUCH_EVERY = datetime.timedelta(minutes=1)


def network_of(ip: str | None) -> str:
    """The network an address belongs to (网段): its /24 for IPv4, its /48 for IPv6. A
    household's or office's address changes within it, so a login from outside it is news."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def agent_digest(user_agent: str) -> str:
    return hashlib.sha256((user_agent or "").encode()).hexdigest()[:32]


def session_open(*, user: User, session_key: str, ip: str | None, user_agent: str) -> LoginSession:
    """Record a completed login. A login from a network the account has not logged in from
    before is marked as such in the history and the audit log (the first login is not)."""
    network = network_of(ip)
    history = LoginSession.objects.filter(user=user)
    new_network = history.exists() and not history.filter(network=network).exists()
    with transaction.atomic():
        row = LoginSession.objects.create(
            user=user,
            session_key=session_key,
            ip=ip,
            network=network,
            user_agent=(user_agent or "")[:300],
            new_network=new_network,
        )
        if new_network:
            audit_record(
                actor=user,
                action=AuditAction.LOGIN,
                target=user,
                after={"network": network},
                message=f"从新的网络登录：{network}",
            )
    return row


def session_touch(*, login_session_id: int) -> None:
    LoginSession.objects.filter(pk=login_session_id, ended_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def _store_delete(session_key: str) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=session_key).delete()


def session_end(*, session_key: str | None, reason: str, actor: User | None = None) -> None:
    """End the session with this key: its row keeps the history, the stored session goes, so
    the browser holding the cookie is logged out at its next request."""
    if not session_key:
        return
    with transaction.atomic():
        row = LoginSession.objects.select_for_update().filter(session_key=session_key).first()
        if row is not None:
            row.session_key = None
            row.ended_at = timezone.now()
            row.end_reason = reason
            row.save(update_fields=["session_key", "ended_at", "end_reason"])
            if reason != SessionEnd.LOGOUT:
                audit_record(
                    actor=actor or row.user,
                    action=AuditAction.UPDATE,
                    target=row.user,
                    before={"session": row.pk, "ip": row.ip},
                    after={"session": None},
                    message=SessionEnd(reason).label,
                )
        _store_delete(session_key)


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow the session to its new key (Django changes it when the password changes), so
    that it can still be listed and ended."""
    if old_key and new_key and old_key != new_key:
        LoginSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_revoke(*, user: User, pk, current_key: str | None) -> None:
    """End one of the user's own sessions (撤销会话); another user's is "not found"."""
    row = LoginSession.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if row is None:
        raise Http404("未找到该会话。")
    if row.user_id != user.pk:
        raise deny(user, target=row, message="试图结束他人的会话")
    if row.session_key and row.session_key == current_key:
        raise ValidationError("这是本浏览器的会话，请用“退出”结束。")
    session_end(session_key=row.session_key, reason=SessionEnd.REVOKED, actor=user)


def _open_keys(*, user: User, keep: str | None = None) -> list[str]:
    """Keys of the account's sessions not ended yet, idle or not (an idle one may still be
    picked up within its cookie's age)."""
    rows = LoginSession.objects.filter(user=user, ended_at__isnull=True, session_key__isnull=False)
    if keep:
        rows = rows.exclude(session_key=keep)
    return list(rows.values_list("session_key", flat=True))


def sessions_revoke_others(*, user: User, current_key: str | None) -> int:
    keys = _open_keys(user=user, keep=current_key)
    for key in keys:
        session_end(session_key=key, reason=SessionEnd.REVOKED, actor=user)
    return len(keys)


def sessions_end_all(*, user: User, reason: str, actor: User) -> int:
    """End every recorded session of the account: on deactivation, a password reset by the
    administrator, or a second-factor reset."""
    keys = _open_keys(user=user)
    for key in keys:
        session_end(session_key=key, reason=reason, actor=actor)
    return len(keys)
