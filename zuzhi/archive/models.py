"""The performance archive (实绩档案), the supervision file (负面清单与监督档案) and the watch
list (考察视野) of cadres. All three are cadre data: the cadre section sees its subtree; a
cadre sees their own archive entries only (`own_field` on ArchiveEntry alone)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.cadres.models.scoping import CadreQuerySet

USER = settings.AUTH_USER_MODEL
REFUSED_UPDATE = "实绩档案是记账式台账，条目不能修改；更正请登记冲正条目并写明理由。"
REFUSED_DELETE = "实绩档案是记账式台账，条目不能删除；更正请登记冲正条目并写明理由。"


class EntryKind(models.TextChoices):
    ACHIEVEMENT = "achievement", "实绩"
    FAULT = "fault", "过错"
    HONOUR = "honour", "荣誉"
    KEY_TASK = "key_task", "重点任务"
    RANKING = "ranking", "排名结果"


class EntrySource(models.TextChoices):
    MANUAL = "manual", "人工登记"
    CONTEST = "contest", "考评竞赛结果"
    STAR_RATING = "star_rating", "星级评定"
    DISCIPLINE = "discipline", "纪律处分"
    VILLAGE_REVIEW = "village_review", "驻村述职评议"


class ArchiveQuerySet(CadreQuerySet):
    """Append-only (记账式): no update and no delete through a queryset; the review stamp is
    set once by `stamp_reviewed` on entries not yet reviewed."""

    def update(self, **kwargs):
        raise PermissionError(REFUSED_UPDATE)

    def delete(self):
        raise PermissionError(REFUSED_DELETE)

    def stamp_reviewed(self, *, by, at) -> int:
        unreviewed = self.filter(reviewed_at__isnull=True)
        return super(ArchiveQuerySet, unreviewed).update(reviewed_by=by, reviewed_at=at)


class ArchiveEntry(models.Model):
    """One dated entry of a cadre's performance archive (实绩档案条目). Never changed nor
    deleted: a correction is a new entry that `reverses` this one, with its reason."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(
        "cadres.Cadre", on_delete=models.PROTECT, related_name="archive_entries"
    )
    date = models.DateField("日期")
    kind = models.CharField("类别", max_length=12, choices=EntryKind.choices)
    category = models.CharField("分类", max_length=64, blank=True)
    text = models.TextField("内容")
    source = models.CharField(
        "来源", max_length=16, choices=EntrySource.choices, default=EntrySource.MANUAL
    )
    # What the entry was taken from (a contest, a star award…): a label and an id, no FK, so
    # that the archive outlives the data it came from.
    source_type = models.CharField("来源对象类型", max_length=64, blank=True)
    source_id = models.CharField("来源对象编号", max_length=64, blank=True)
    evidence = models.FileField("佐证材料", upload_to="archive/%Y/%m/", blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name="冲正的条目",
    )
    reason = models.TextField("冲正理由", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ArchiveQuerySet.as_manager()

    class Meta:
        verbose_name = "实绩档案条目"
        ordering = ["cadre", "-date", "-pk"]
        indexes = [models.Index(fields=["cadre", "reviewed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="archive_reversal_has_reason",
            ),
            # An offered entry is accepted once per cadre and source.
            models.UniqueConstraint(
                fields=["cadre", "source", "source_type", "source_id"],
                condition=~Q(source_id="") & Q(reverses__isnull=True),
                name="uniq_archive_offer_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.date} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # An instance's save bypasses the queryset's update(): refused here as well (the
        # review stamp goes through ArchiveQuerySet.stamp_reviewed).
        if not self._state.adding:
            raise PermissionError(REFUSED_UPDATE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(REFUSED_DELETE)


class OfferDismissal(models.Model):
    """An entry offered from data (a contest's ranking) that the cadre section dismissed
    (不予记入), so that it is not offered again."""

    scope_path_field = "cadre__organization__path"

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="+")
    source = models.CharField("来源", max_length=16, choices=EntrySource.choices)
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)
    dismissed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "不予记入的建议条目"
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "source", "source_type", "source_id"],
                name="uniq_archive_offer_dismissed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.source_type}:{self.source_id}"


class SupervisionKind(models.TextChoices):
    NEGATIVE_LIST = "negative_list", "负面清单"
    PERFORMANCE_VIEW = "performance_view", "政绩观偏差"
    ADMONISHMENT = "admonishment", "诫勉"
    PARTY_DISCIPLINE = "party_discipline", "党纪处分"
    GOVERNMENT_SANCTION = "government_sanction", "政务处分"
    INVESTIGATION = "investigation", "立案审查"
    ORGANIZATIONAL = "organizational", "组织处理"
    OTHER = "other", "其他"


class SupervisionStatus(models.TextChoices):
    OPEN = "open", "有效"
    EXCUSED = "excused", "容错免责"
    CLEARED = "cleared", "澄清保护"


class SupervisionRecord(models.Model):
    """A record of the supervision file (监督档案): a negative-list item or a discipline or
    legal record. Excused (容错免责) or cleared (澄清保护) by a recorded decision, it stays in
    the file but feeds no trigger (see selectors.active_supervision). The cadre section's only:
    no `own_field`, the cadre does not see it."""

    scope_path_field = "cadre__organization__path"

    cadre = models.ForeignKey(
        "cadres.Cadre", on_delete=models.PROTECT, related_name="supervision_records"
    )
    kind = models.CharField("类别", max_length=24, choices=SupervisionKind.choices)
    date = models.DateField("日期")
    source = models.CharField("来源", max_length=128)
    text = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=8, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("认定日期", null=True, blank=True)
    decision_reason = models.TextField("认定理由", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "监督档案"
        ordering = ["cadre", "-date", "-pk"]
        indexes = [models.Index(fields=["cadre", "status"])]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_kind_display()}"


class WatchReason(models.TextChoices):
    ACHIEVEMENT = "achievement", "实绩突出"
    SELF_NOMINATION = "self_nomination", "自荐已采纳"
    PRIORITY_RESERVE = "priority_reserve", "优先储备"
    OTHER = "other", "其他"


class WatchEntry(models.Model):
    """A cadre on the watch list (考察视野), reviewed by the cadre section each quarter: kept,
    or removed with a reason (the row stays, `removed_at` set)."""

    scope_path_field = "cadre__organization__path"

    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.CASCADE, related_name="watch")
    reason_kind = models.CharField("纳入原因", max_length=20, choices=WatchReason.choices)
    note = models.TextField("说明", blank=True)
    nomination = models.OneToOneField(
        "cadres.SelfNomination",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="watch_entry",
    )
    added_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField("纳入时间", auto_now_add=True)
    reviewed_at = models.DateField("最近复核日期", null=True, blank=True)
    review_note = models.TextField("复核意见", blank=True)
    removed_at = models.DateField("移出日期", null=True, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "考察视野"
        ordering = ["cadre__organization__path", "cadre__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"], condition=Q(removed_at__isnull=True), name="uniq_watch_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre} {self.get_reason_kind_display()}"
