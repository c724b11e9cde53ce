"""The public vote (群众投票): SMS codes, voter tokens, the vote itself and its limits, and the
voiding of suspicious votes. The API, the public page and the production server's short path
(`voting.fastvote`) all cast through `public_vote_cast`.
"""

import hashlib
import hmac
import re
import secrets
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from zuzhi.core.db import fetch_one_prepared
from zuzhi.core.errors import RuleRefused
from zuzhi.core.models import AuditAction

from ..models import Contest, Stage, Vote, VoteCode, VoteQuota
from ..rules import audit, public_vote_stage, require_editable, require_manager, voting_state
from .selectors import public_vote_target, vote_target
from .sms import sms_backend

MOBILE_RX = re.compile(r"\A1[3-9][0-9]{9}\Z")
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
VOTER_SALT = "zuzhi.contests.voter"
VOTER_MAX_AGE = 24 * 3600
# The cookies the public page and the API set, and the thanks every way in answers with.
VOTER_COOKIE = "zuzhi_voter"
VOTER_DEVICE_COOKIE = "zuzhi_device"
VOTE_THANKS = "投票成功，谢谢参与！"


class VoteRefused(RuleRefused):
    """A vote or code request that a rule refuses; `status` is the HTTP answer for it."""


@dataclass(frozen=True)
class Voter:
    """A verified phone: its keyed digest and last four digits, never the number itself."""

    phone_digest: str
    phone_tail: str


def _phone_digest(phone: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"phone:{phone}".encode(), hashlib.sha256
    ).hexdigest()


def _code_digest(phone: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"code:{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _ip_allowed(ip: str | None, *, bucket: str, limit: int) -> bool:
    """A per-IP counter per minute in the cache every server process shares."""
    if not ip or limit <= 0:
        return True
    cache = caches["shared"]
    key = f"rate:{bucket}:{ip}:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= limit
    except ValueError:
        return True


def vote_code_send(*, contest: Contest, phone: str, ip: str | None) -> None:
    """Send a one-time code to a voter's phone (发送验证码)."""
    phone = (phone or "").strip()
    if not MOBILE_RX.match(phone):
        raise VoteRefused("请输入 11 位手机号码。")
    stage = public_vote_stage(contest)
    if stage is None or (reason := voting_state(stage)):
        raise VoteRefused(reason if stage else "本次评选没有群众投票。")
    phone_code_send(
        phone=phone,
        ip=ip,
        message=f"您正在参加“{contest.name}”投票，验证码 {{code}}，10 分钟内有效。",
    )


def phone_code_send(*, phone: str, ip: str | None, message: str) -> None:
    """Send a one-time code (`{code}` in `message`) to a phone, under the per-IP and per-phone
    limits; `vote_code_verify` checks it. Shared by the public vote and the households' public
    request page (tickets.public): a code proves a phone, whatever it is for."""
    phone = (phone or "").strip()
    if not MOBILE_RX.match(phone):
        raise VoteRefused("请输入 11 位手机号码。")
    if not _ip_allowed(ip, bucket="code", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("操作过于频繁，请稍后再试。", status=429)
    digest = _phone_digest(phone)
    now = timezone.now()
    recent = VoteCode.objects.filter(phone_digest=digest, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=60)).exists():
        raise VoteRefused("验证码已发送，请 60 秒后再试。", status=429)
    if recent.count() >= settings.ZUZHI_VOTE_CODES_PER_PHONE_PER_DAY:
        raise VoteRefused("该手机号今天获取验证码的次数已达上限。", status=429)
    code = f"{secrets.randbelow(10**6):06d}"
    VoteCode.objects.create(
        phone_digest=digest, code_digest=_code_digest(phone, code), expires_at=now + CODE_TTL
    )
    sms_backend().send(phone=phone, message=message.replace("{code}", code))


def vote_code_verify(*, phone: str, code: str, ip: str | None = None) -> Voter:
    """Check a code (校验验证码); each code works once, and five wrong tries spoil it."""
    phone, code = (phone or "").strip(), (code or "").strip()
    if not MOBILE_RX.match(phone):
        raise VoteRefused("请输入 11 位手机号码。")
    if not _ip_allowed(ip, bucket="verify", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("操作过于频繁，请稍后再试。", status=429)
    digest = _phone_digest(phone)
    with transaction.atomic():
        item = (
            VoteCode.objects.select_for_update()
            .filter(phone_digest=digest, used=False, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if item is None or item.attempts >= CODE_ATTEMPTS:
            raise VoteRefused("验证码已失效，请重新获取。")
        right = hmac.compare_digest(item.code_digest, _code_digest(phone, code))
        if right:
            item.used = True
        else:
            # Counted in this transaction, which commits: the refusal is raised after it.
            item.attempts += 1
        item.save(update_fields=["used", "attempts"])
    if not right:
        raise VoteRefused("验证码不正确。")
    return Voter(phone_digest=digest, phone_tail=phone[-4:])


def voter_token(voter: Voter) -> str:
    """A signed token standing for a verified phone for a day (stored in a cookie)."""
    return signing.dumps({"d": voter.phone_digest, "t": voter.phone_tail}, salt=VOTER_SALT)


def voter_from_token(token: str | None) -> Voter | None:
    if not token:
        return None
    try:
        data = signing.loads(token, salt=VOTER_SALT, max_age=VOTER_MAX_AGE)
        return Voter(phone_digest=data["d"], phone_tail=data["t"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


_QUOTA_SQL = (
    "INSERT INTO {quota} (stage_id, key, used, cap) VALUES {rows} "
    "ON CONFLICT (stage_id, key) DO UPDATE SET used = {quota}.used + 1 "
    "WHERE {quota}.used < {quota}.cap RETURNING key"
)
_VOTE_COLUMNS = "stage_id, entrant_id, phone_digest, phone_tail, device, ip, day, cast_at, voided"
# PostgreSQL: the limits and the vote in one statement, one round trip. The vote's entrant is
# NULL unless every limit was raised, so a refused vote breaks the ledger's NOT NULL rule and
# the whole statement, the raised limits included, is undone.
_VOTE_SQL_ONE_STATEMENT = (
    "WITH raised AS (" + _QUOTA_SQL + "), "
    "vote AS (INSERT INTO {vote} (" + _VOTE_COLUMNS + ", void_reason) SELECT %s, "
    "CASE WHEN (SELECT COUNT(*) FROM raised) = {count} THEN %s END, "
    "%s, %s, %s, CAST(%s AS inet), %s, %s, false, '' RETURNING id) SELECT id FROM vote"
)
_QUOTA_ROW_TYPES = ["bigint", "varchar", "integer"]
_VOTE_TYPES = ["bigint", "bigint", "varchar", "varchar", "varchar", "text", "date", "timestamptz"]


def public_vote_cast(
    *, contest_id, entrant_id, token: str | None, device: str, ip: str | None
) -> int:
    """A vote from the public (POST …/votes), however it came in: the API, the public page or
    the short path. A contest the public may not see is not found (Http404); a request without
    a valid voter token (from the SMS step) is refused before any limit is touched."""
    if public_vote_target(contest_id=contest_id) is None:
        raise Http404
    voter = voter_from_token(token)
    if voter is None:
        raise VoteRefused("请先用手机号码验证后再投票。", status=401)
    return vote_cast(
        contest_id=contest_id, entrant_id=entrant_id, voter=voter, device=device, ip=ip
    )


def vote_cast(*, contest_id, entrant_id, voter: Voter, device: str, ip: str | None) -> int:
    """Record one public vote (投票) and return its id in the ledger. Every limit is a counter
    row that one upsert raises only while it is below its cap, in the same transaction as the
    vote: concurrent requests from one phone can never pass a limit, because the database
    decides, not a read before the write. Either every limit is raised and the vote written,
    or nothing is."""
    target = vote_target(contest_id=contest_id)
    if target is None:
        raise VoteRefused("本次评选没有群众投票。", status=404)
    stage = target.stage
    if reason := voting_state(stage):
        raise VoteRefused(reason, status=403)
    try:
        entrant_id = int(entrant_id)
    except (TypeError, ValueError) as exc:
        raise VoteRefused("没有这个参评对象。", status=404) from exc
    if entrant_id not in target.entrant_ids:
        raise VoteRefused("没有这个参评对象。", status=404)
    if not _ip_allowed(ip, bucket="vote", limit=settings.ZUZHI_VOTE_IP_PER_MINUTE):
        raise VoteRefused("投票过于频繁，请稍后再试。", status=429)
    day = timezone.localdate()
    who = voter.phone_digest
    limits = {
        f"d:{who}:{day:%Y%m%d}": (
            stage.votes_per_day,
            f"每人每天限投 {stage.votes_per_day} 票，今天的票已投完。",
        )
    }
    if stage.votes_per_entrant:
        limits[f"e:{who}:{entrant_id}"] = (
            stage.votes_per_entrant,
            f"对同一对象每人限投 {stage.votes_per_entrant} 票。",
        )
    if stage.votes_total:
        limits[f"t:{who}"] = (
            stage.votes_total,
            f"每人总共限投 {stage.votes_total} 票，您的票已投完。",
        )
    quota, count = VoteQuota._meta.db_table, len(limits)
    rows = ", ".join(["(%s, %s, 1, %s)"] * count)
    params = [v for key, (cap, _) in limits.items() for v in (stage.pk, key, cap)]
    vote = [stage.pk, entrant_id, who, voter.phone_tail, _device(device), ip or None, day]
    # The time as the ORM would store it (SQLite keeps it as text, naive UTC).
    cast_at = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        sql = _VOTE_SQL_ONE_STATEMENT.format(
            quota=quota, rows=rows, vote=Vote._meta.db_table, count=count
        )
        try:
            # In autocommit the statement is its own transaction; inside one, a savepoint.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                return fetch_one_prepared(
                    name=f"zuzhi_vote_{count}",
                    sql=sql,
                    types=_QUOTA_ROW_TYPES * count + _VOTE_TYPES,
                    params=params + vote + [cast_at],
                )[0]
        except IntegrityError:
            full = set(
                VoteQuota.objects.filter(
                    stage=stage, key__in=list(limits), used__gte=F("cap")
                ).values_list("key", flat=True)
            )
            if not full:
                raise
            raise VoteRefused(_first_refusal(limits, full), status=409) from None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_QUOTA_SQL.format(quota=quota, rows=rows), params)
        full = set(limits) - {row[0] for row in cursor.fetchall()}
        if full:
            transaction.set_rollback(True)
            raise VoteRefused(_first_refusal(limits, full), status=409)
        cursor.execute(
            f"INSERT INTO {Vote._meta.db_table} ({_VOTE_COLUMNS}, void_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '') RETURNING id",
            vote + [cast_at, False],
        )
        return cursor.fetchone()[0]


def _device(value: str | None) -> str:
    """The device cookie (the public page sets a hex token), or "" when it is not plain
    printable ASCII: it is the client's word, and a NUL in it would be an error in PostgreSQL."""
    value = (value or "")[:32]
    return value if value.isascii() and value.isprintable() else ""


def _first_refusal(limits: dict[str, tuple[int, str]], full: set[str]) -> str:
    """The message of the first limit, in the order the rules list them, that is used up."""
    return next(message for key, (_, message) in limits.items() if key in full)


def votes_void(*, actor, stage: Stage, vote_ids: list[int], reason: str) -> int:
    """Void suspicious votes (作废可疑选票) with a reason; they stay in the ledger, uncounted."""
    contest = stage.contest
    require_manager(actor, contest)
    require_editable(contest)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明作废理由。"]})
    with transaction.atomic():
        ids = list(
            Vote.objects.filter(stage=stage, pk__in=vote_ids, voided=False).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            raise ValidationError("没有可作废的选票。")
        Vote.objects.filter(pk__in=ids).update(voided=True, void_reason=reason.strip()[:200])
        audit(
            actor,
            AuditAction.UPDATE,
            stage,
            contest,
            after={"voided_votes": ids, "reason": reason.strip()},
            message=f"作废选票 {len(ids)} 张",
        )
    caches["shared"].delete(f"vote-totals:{stage.pk}")
    return len(ids)
