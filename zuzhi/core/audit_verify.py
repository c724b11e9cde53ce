"""Checking the audit log's hash chain (审计日志校验), for `zuzhi verify-audit`.

The seals are walked in sequence order, SEAL_BATCH at a time (a province holds tens of
millions of rows): each row's hash is computed again from the log row and each link from the
one before. The first link that does not hold is reported. A chain whose start was pruned
starts from the anchor the prune recorded. Log rows with neither a seal nor a place in the
queue are counted as well: a row that can never be sealed is as wrong as a changed one.
"""

import datetime
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .audit_chain import GENESIS, SEAL_BATCH, chain_next, log_rows, row_hash
from .models import AuditAction, AuditLog, AuditPending, AuditSeal
from .retention import PRUNE_TARGET_TYPE

CONTENT_CHANGED = "内容被修改"
LINK_BROKEN = "链接断开"
SEQ_MISSING = "序号缺失"
ROW_MISSING = "日志行缺失"
# Unsealed rows listed by id in the report, at most.
UNSEALED_LISTED = 20


@dataclass
class ChainBreak:
    """The first link of the chain that does not hold."""

    seq: int
    problem: str  # one of CONTENT_CHANGED, LINK_BROKEN, SEQ_MISSING, ROW_MISSING
    detail: str
    log_id: int | None = None
    time: datetime.datetime | None = None


@dataclass
class AuditVerification:
    """What `audit_verify` found."""

    verified: int = 0
    pending: int = 0
    unsealed: int = 0
    unsealed_ids: list[int] = field(default_factory=list)
    start: str = ""  # where the chain starts from: the genesis value or a prune's anchor
    head_seq: int | None = None
    head_chain_hash: str = ""
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None and self.unsealed == 0

    def report(self) -> list[str]:
        """The result in Chinese, a line each."""
        lines = [f"已校验 {self.verified} 条封存的审计日志（{self.start or '尚无封存'}）。"]
        if self.head_seq is not None:
            lines.append(f"链尾：序号 {self.head_seq}，链哈希 {self.head_chain_hash}。")
        lines.append(f"待封存 {self.pending} 条。")
        if self.broken:
            b = self.broken
            where = f"序号 {b.seq}"
            if b.log_id is not None:
                where += f"，日志编号 {b.log_id}"
            if b.time is not None:
                where += f"，时间 {timezone.localtime(b.time):%Y-%m-%d %H:%M:%S}"
            lines.append(f"第一处断链：{where}：{b.problem}。{b.detail}")
        if self.unsealed:
            listed = "、".join(str(i) for i in self.unsealed_ids)
            more = "等" if self.unsealed > len(self.unsealed_ids) else ""
            lines.append(
                f"既未封存也不在待封存队列中的日志 {self.unsealed} 条（编号 {listed}{more}）。"
            )
        lines.append("结果：完好。" if self.ok else "结果：审计日志已被篡改或不完整。")
        return lines


def audit_verify(
    *, using: str = DEFAULT_DB_ALIAS, batch_size: int = SEAL_BATCH
) -> AuditVerification:
    result = AuditVerification()
    result.broken = _walk(result, using=using, batch_size=batch_size)
    head = AuditSeal.objects.using(using).order_by("-seq").values_list("seq", "chain_hash").first()
    if head:
        result.head_seq, result.head_chain_hash = head
    result.pending = AuditPending.objects.using(using).count()
    _count_unsealed(result, using=using, batch_size=batch_size)
    return result


def _walk(result: AuditVerification, *, using: str, batch_size: int) -> ChainBreak | None:
    seals = AuditSeal.objects.using(using)
    previous_seq, chain = 0, GENESIS
    while True:
        batch = list(
            seals.filter(seq__gt=previous_seq)
            .order_by("seq")
            .values_list("seq", "log_id", "row_hash", "chain_hash")[:batch_size]
        )
        if not batch:
            return None
        logs = {row["id"]: row for row in log_rows(using=using, ids=[s[1] for s in batch])}
        for seq, log_id, stored_row, stored_chain in batch:
            row = logs.get(log_id)
            if seq == 1:
                result.start = "自序号 1 起，从创世值开始"
            elif seq != previous_seq + 1:
                # The start of a pruned chain, or a gap a prune explains (one that ran
                # while this walk did): the prune's row holds the hash to go on from.
                anchor = _prune_anchor(using=using, last_seq=seq - 1)
                # A prune removes a run from the chain's start: in the middle, the gap is a
                # prune's only if the seals walked so far are gone too.
                if previous_seq and seals.filter(seq__lte=previous_seq).exists():
                    anchor = None
                if anchor is None:
                    return ChainBreak(
                        seq=previous_seq + 1,
                        problem=SEQ_MISSING,
                        detail=(
                            f"序号 {previous_seq + 1}–{seq - 1} 的封存不存在，也没有清理记录；"
                            f"其后第一条为序号 {seq}（日志编号 {log_id}）。"
                        ),
                    )
                chain, prune_id = anchor
                if not result.start:
                    result.start = f"自序号 {seq} 起，接续清理记录（日志编号 {prune_id}）的锚点"
            if row is None:
                if not seals.filter(seq=seq).exists():
                    break  # pruned since the batch was read: the next batch follows the prune
                return ChainBreak(
                    seq=seq,
                    log_id=log_id,
                    problem=ROW_MISSING,
                    detail="封存所指的日志行已不存在。",
                )
            digest = row_hash(row)
            if digest != stored_row:
                return ChainBreak(
                    seq=seq,
                    log_id=log_id,
                    time=row["time"],
                    problem=CONTENT_CHANGED,
                    detail="日志行的内容与封存时的哈希不符。",
                )
            if chain_next(chain, digest, seq) != stored_chain:
                return ChainBreak(
                    seq=seq,
                    log_id=log_id,
                    time=row["time"],
                    problem=LINK_BROKEN,
                    detail="封存的链哈希与前一条不相接。",
                )
            previous_seq, chain = seq, stored_chain
            result.verified += 1


def _prune_anchor(*, using: str, last_seq: int) -> tuple[str, int] | None:
    """The chain hash that a prune ending at `last_seq` recorded, and its row's id."""
    found = (
        AuditLog.objects.using(using)
        .filter(
            target_type=PRUNE_TARGET_TYPE,
            action=AuditAction.DELETE,
            after__pruned_last_seq=last_seq,
        )
        .order_by("-id")
        .values_list("after", "id")
        .first()
    )
    if found is None:
        return None
    after, prune_id = found
    return after["anchor_chain_hash"], prune_id


def _count_unsealed(result: AuditVerification, *, using: str, batch_size: int) -> None:
    """Log rows neither sealed nor queued, a range of ids at a time: each probe is an index
    lookup, so the scan is one pass over the log's primary key."""
    logs = AuditLog.objects.using(using)
    sealed = AuditSeal.objects.using(using).filter(log_id=OuterRef("pk"))
    queued = AuditPending.objects.using(using).filter(log_id=OuterRef("pk"))
    after = 0
    while True:
        ids = logs.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)
        upper = next(iter(ids[batch_size - 1 : batch_size]), None)
        in_range = logs.filter(pk__gt=after)
        if upper is not None:
            in_range = in_range.filter(pk__lte=upper)
        lost = list(
            in_range.filter(~Exists(sealed), ~Exists(queued))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        result.unsealed += len(lost)
        result.unsealed_ids += lost[: UNSEALED_LISTED - len(result.unsealed_ids)]
        if upper is None:
            return
        after = upper
