"""Requests of linked households handled as tickets (联户服务诉求): each is owned by the
household's linked member, or by a service team of a joint branch it was passed to, has
deadlines, climbs the escalation ladder when they pass, and ends with the household's rating
(回访). Who sees a ticket: whoever sees its household (households.scoping)."""

import secrets

from django.conf import settings
from django.db import models

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedQuerySetMixin,
)
from zuzhi.core.scope import ScopedQuerySet
from zuzhi.households.scoping import HouseholdQuerySet, ThroughHouseholdQuerySet

USER = settings.AUTH_USER_MODEL


class ThroughTicketQuerySet(HouseholdQuerySet):
    """Ticket steps and escalations: seen with their ticket's household."""

    household_prefix = "ticket__household__"


class SealedTicketQuerySet(SealedQuerySetMixin, ThroughHouseholdQuerySet):
    """Tickets: seen with their household; the contact phone is encrypted (core.fields)."""


def new_callback_token() -> str:
    return secrets.token_urlsafe(16)


class TicketType(models.Model):
    """A kind of request with its deadline (诉求类型): 日常生活, 事项代办, 矛盾调解, 诉求办理 by
    default, configurable by the county."""

    name = models.CharField("类型名称", max_length=32, unique=True)
    accept_hours = models.PositiveIntegerField("受理时限（小时）", default=24)
    resolve_hours = models.PositiveIntegerField("办结时限（小时）")
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "诉求类型"
        verbose_name_plural = verbose_name
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class TeamSpecialty(models.TextChoices):
    MEDIATION = "mediation", "矛盾调解团队"
    PROBLEM = "problem", "问题处理团队"
    OTHER = "other", "其他服务团队"


class ServiceTeam(models.Model):
    """A service team (服务团队) of a joint general branch or joint branch, by specialty; a
    ticket passed to it is owned by its leader until one of its members takes it."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="联合党组织"
    )
    name = models.CharField("团队名称", max_length=64)
    specialty = models.CharField("专长", max_length=16, choices=TeamSpecialty.choices)
    leader = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="团队负责人"
    )
    members = models.ManyToManyField(
        "members.Member", related_name="service_teams", blank=True, verbose_name="团队成员"
    )
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "服务团队"
        verbose_name_plural = verbose_name
        ordering = ["organization__path", "specialty", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="one_team_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class TicketState(models.TextChoices):
    NEW = "new", "待受理"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    WITH_TEAM = "with_team", "已转服务团队"
    RESOLVED = "resolved", "已办结待回访"
    CLOSED = "closed", "已关闭"


OPEN_STATES = (
    TicketState.NEW,
    TicketState.ACCEPTED,
    TicketState.IN_PROGRESS,
    TicketState.WITH_TEAM,
)


class TicketChannel(models.TextChoices):
    MEMBER = "member", "联系党员代录"
    COMMUNITY = "community", "社区录入"
    HOUSEHOLD = "household", "群众扫码提交"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class EscalationLevel(models.IntegerChoices):
    NONE = 0, "未上报"
    SECRETARY = 1, "支部书记"
    COMMUNITY = 2, "社区"
    TOWN = 3, "镇（街道）"


class Ticket(SealedModel):
    """One request of a household (诉求工单): what, of which type, from which channel, who owns
    it now, its deadlines, how far it has climbed, and the household's rating."""

    scope_path_field = "household__community__path"

    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="联系户",
        db_index=False,  # led by the composite indexes below
    )
    type = models.ForeignKey(TicketType, on_delete=models.PROTECT, verbose_name="诉求类型")
    channel = models.CharField("来源", max_length=12, choices=TicketChannel.choices)
    description = models.TextField("诉求内容", max_length=2000)
    # Encrypted at rest (core.fields): lists show the masked copy, search uses the index.
    contact_phone = EncryptedCharField(
        "联系电话",
        kind="phone",
        max_length=20,
        blank=True,
        index_field="contact_phone_index",
        masked_field="contact_phone_masked",
    )
    contact_phone_index = BlindIndexField("联系电话（盲索引）", source="contact_phone")
    contact_phone_masked = MaskedField("联系电话（脱敏）", source="contact_phone")
    state = models.CharField(
        "状态", max_length=12, choices=TicketState.choices, default=TicketState.NEW
    )
    # The owner: the linked member; while passed to a team, its leader until a member takes it.
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="责任党员",
        db_index=False,  # led by the composite indexes below
    )
    team = models.ForeignKey(
        ServiceTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="服务团队",
        db_index=False,  # led by the composite indexes below
    )
    taken_by = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="团队承办人",
    )
    created_at = models.DateTimeField("提交时间")
    accept_due = models.DateTimeField("受理期限")
    resolve_due = models.DateTimeField("办结期限")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    resolution = models.TextField("办理结果", max_length=2000, blank=True)
    escalation = models.PositiveSmallIntegerField(
        "上报层级", choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField("最近上报时间", null=True, blank=True)
    reopened = models.PositiveSmallIntegerField("重新办理次数", default=0)
    rating = models.CharField("满意度", max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    callback_token = models.CharField(
        max_length=32, unique=True, default=new_callback_token, editable=False
    )

    objects = SealedTicketQuerySet.as_manager()

    class Meta:
        verbose_name = "联户服务诉求"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "accept_due"]),
            models.Index(fields=["state", "resolve_due"]),
            models.Index(fields=["member", "state"]),
            models.Index(fields=["team", "state"]),
            models.Index(fields=["household", "created_at"]),
            # The escalation pass: the tickets of one level newly past one deadline.
            models.Index(fields=["state", "escalation", "accept_due"]),
            models.Index(fields=["state", "escalation", "resolve_due"]),
            # The lists' order (newest first), read from the index rather than sorted.
            models.Index(fields=["created_at", "id"], name="tickets_ticket_created_id"),
        ]

    def __str__(self) -> str:
        return f"{self.household.head_name}：{self.description[:20]}"


class TicketEvent(models.Model):
    """One step of a ticket (办理记录): who did what when, from which state to which."""

    scope_path_field = "ticket__household__community__path"

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name="诉求"
    )
    kind = models.CharField("事项", max_length=20)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("办理人", max_length=64, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    objects = ThroughTicketQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = verbose_name
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} · {self.kind}"


class TicketEscalation(models.Model):
    """A ticket's climb to one level (逐级上报), once per ticket and level: the scheduled pass
    never escalates the same ticket twice for one step."""

    scope_path_field = "ticket__household__community__path"

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name="诉求",
        db_index=False,  # the unique (ticket, level) leads with it
    )
    level = models.PositiveSmallIntegerField("上报层级", choices=EscalationLevel.choices)
    reason = models.CharField("原因", max_length=16)  # "accept" or "resolve": which deadline
    at = models.DateTimeField("上报时间")

    objects = ThroughTicketQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求上报记录"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level"], name="one_escalation_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.get_level_display()}"


class TicketAttachment(models.Model):
    """A file on a step of a ticket (办理附件): a photo of the problem or of the work done.
    Served only through the ticket's scope (never publicly); every download audited."""

    scope_path_field = "ticket__household__community__path"

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name="诉求"
    )
    event = models.ForeignKey(
        TicketEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
        verbose_name="办理记录",
    )
    file = models.FileField("附件", upload_to="tickets/%Y/%m/")
    name = models.CharField("文件名", max_length=200)

    objects = ThroughTicketQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求办理附件"
        verbose_name_plural = verbose_name
        ordering = ["ticket", "id"]

    def __str__(self) -> str:
        return self.name
