"""The public vote's tables (群众投票): SMS codes, the vote ledger, and the counters that hold
each voting limit. They belong to the `contests` app (zuzhi.contests.models imports them)."""

from django.db import models

from zuzhi.core.scope import ScopedQuerySet


class VoteCode(models.Model):
    """A one-time SMS code for a voter's phone (短信验证码); stored as digests only. It belongs to
    a phone, not to a contest or an organization: nothing scopes it."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return "验证码"


class Vote(models.Model):
    """One public vote (群众投票) in the ledger. The phone is kept as a keyed digest plus its last
    four digits, enough to find abuse and never enough to call anyone."""

    # The ledger is the organizer's to read (刷票线索), not the entrant's township's.
    scope_path_field = "stage__contest__organization__path"

    # No index of its own on the stage: both indexes below begin with it (fewer index
    # writes per vote, the busiest insert in Zuzhi).
    stage = models.ForeignKey(
        "contests.Stage", on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    entrant = models.ForeignKey("contests.Entrant", on_delete=models.CASCADE, related_name="votes")
    phone_digest = models.CharField(max_length=64)
    phone_tail = models.CharField(max_length=4)
    device = models.CharField(max_length=32)
    ip = models.GenericIPAddressField(null=True)
    day = models.DateField()
    cast_at = models.DateTimeField(auto_now_add=True)
    voided = models.BooleanField(default=False)
    void_reason = models.CharField(max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["stage", "entrant"], name="vote_stage_entrant"),
            models.Index(fields=["stage", "cast_at"], name="vote_stage_time"),
        ]

    def __str__(self):
        return f"投票 {self.pk}"


class VoteQuota(models.Model):
    """Votes used against one limit (e.g. a phone's votes today). Casting raises it with one
    INSERT ... ON CONFLICT DO UPDATE ... WHERE used < cap, so concurrent votes can never pass
    the limit."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(
        "contests.Stage", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique (stage, key) index serves it
    key = models.CharField(max_length=120)
    used = models.PositiveIntegerField(default=0)
    cap = models.PositiveIntegerField("上限")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stage", "key"], name="vote_quota_key")]

    def __str__(self):
        return self.key
