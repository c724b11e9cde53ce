from django.conf import settings
from django.db import models

from zuzhi.core.scope import ScopedQuerySet


class MeetingKind(models.TextChoices):
    """三会一课, the monthly theme Party day and the organizational life meeting."""

    MEMBER_ASSEMBLY = "member_assembly", "党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"


class Meeting(models.Model):
    """A meeting of a branch (组织生活记录), entered once; compliance is derived from it."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name="党组织",
    )
    kind = models.CharField("类型", max_length=32, choices=MeetingKind.choices)
    date = models.DateField("日期")
    topic = models.CharField("主题", max_length=200)
    location = models.CharField("地点", max_length=100, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    host = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="主持人",
    )
    recorder = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )
    attendees = models.ManyToManyField(
        "members.Member", related_name="meetings_attended", blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["organization", "kind", "date"]),
            # The list's order (newest first): a county's page reads the newest rows of this
            # index instead of sorting every meeting of its scope.
            models.Index(fields=["date", "id"], name="orglife_meeting_date_id"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"


class MeetingAbsence(models.Model):
    """A member who missed a meeting, with the reason (缺席及原因)."""

    scope_path_field = "meeting__organization__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="absences")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("缺席原因", max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_absence_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.reason}）"


class MeetingAttachment(models.Model):
    scope_path_field = "meeting__organization__path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="meetings/%Y/%m/")
    name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name
