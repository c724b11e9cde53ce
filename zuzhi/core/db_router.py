"""Reads from PostgreSQL streaming replicas; writes, and a writer's reads, on the primary.

Active when ZUZHI_REPLICA_DATABASE_URL names replicas: settings then adds the aliases
`replica`, `replica2`, …, this router and core.middleware.ReadReplicaMiddleware. The rule:

- Only a page or API request may read a replica, and only while it is marked as such by the
  middleware. The task worker, management commands, imports run by the worker, the shell and
  anything else outside a request read the primary (no request state).
- A request with an unsafe method (POST, PUT, PATCH, DELETE) reads the primary throughout: its
  checks (is this ID number taken, may this branch still be edited) must see the latest rows.
- Any write (`db_for_write`, which Django asks for every save, update, delete, bulk write,
  `get_or_create` and `select_for_update`) turns the rest of the request to the primary, and
  the answer carries a signed cookie that keeps the same browser on the primary for
  ZUZHI_READ_YOUR_WRITES_SECONDS: the user reads back what they saved. Every write in Zuzhi is
  audited through the ORM (core.audit), so a service writing with raw SQL still asks for a
  write alias in the same request. The session table does not count (it is saved on every
  request).
- Who may do what is always read from the primary: sessions and the accounts app (users, role
  assignments, API tokens, lockouts). A revoked token, a disabled account or a removed role
  takes effect on the next request on every server, and a token issued by one request is
  known to the next; these are a few indexed rows per request.
- Inside `transaction.atomic()` on the primary every read goes to the primary, so a service
  reads what it writes and what it has locked.
"""

import contextlib
import contextvars
import random
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PIN_COOKIE = "zuzhi_primary"
_PIN_SALT = "zuzhi.core.db_router"
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Always read from the primary: who is logged in, and what they may do.
_PRIMARY_APPS = {"sessions", "accounts"}


def replica_aliases() -> list[str]:
    """The database aliases that are replicas: `replica`, `replica2`, …"""
    return [alias for alias in settings.DATABASES if re.fullmatch(r"replica\d*", alias)]


@dataclass
class RequestReads:
    """Where one request's reads go."""

    replica: str
    primary: bool = False  # every read to the primary from now on
    wrote: bool = False  # the request wrote: pin its browser to the primary for a while


_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "zuzhi_request_reads", default=None
)


def _clock() -> float:
    return time.time()


class PrimaryReplicaRouter:
    """The rule of this module's docstring, as Django's database router."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if (
            reads is None
            or reads.primary
            or model._meta.app_label in _PRIMARY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return reads.replica

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None and model._meta.app_label != "sessions":
            reads.primary = reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database, copied: an object read from a replica may point at one from the primary.
        same = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return (obj1._state.db in same and obj2._state.db in same) or None

    def allow_migrate(self, db, app_label, **hints):
        # Replicas replay the primary's WAL: the schema reaches them that way.
        return db == DEFAULT_DB_ALIAS


@contextlib.contextmanager
def request_reads(request):
    """Within this block, reads of the ORM may go to a replica (core.middleware)."""
    reads = RequestReads(
        replica=random.choice(replica_aliases()),
        primary=request.method in _UNSAFE_METHODS or _pinned(request),
    )
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def pin_writer(response, reads: RequestReads) -> None:
    """After a write, keep this browser on the primary for ZUZHI_READ_YOUR_WRITES_SECONDS
    (the signed cookie holds the time until which it reads there)."""
    if not reads.wrote:
        return
    seconds = settings.ZUZHI_READ_YOUR_WRITES_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE,
        str(_clock() + seconds),
        salt=_PIN_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _pinned(request) -> bool:
    until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT)
    try:
        return until is not None and _clock() < float(until)
    except ValueError:
        return False
