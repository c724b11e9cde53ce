"""Using village reserves (后备力量的“用”): work assignments that test them (压担子), the
village committee elections that make them village cadres (村“两委”换届), and the village
committee roster (村民委员会成员) they move into. Who sees what: reserves.scoping."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.core.fields import BlindIndexField, EncryptedCharField, MaskedField, SealedModel
from zuzhi.orgs.models import CommitteePosition
from zuzhi.reserves.scoping import ReserveQuerySet, SealedReserveQuerySet


class AssignmentKind(models.TextChoices):
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴"
    FIVE_STAR = "five_star", "五星支部创建"
    DISPUTE = "dispute", "矛盾纠纷调处"
    GRID = "grid", "网格服务"
    OTHER = "other", "其他"


class AssignmentRating(models.TextChoices):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    AVERAGE = "average", "一般"


class ReserveAssignment(models.Model):
    """A task of real work given to a reserve in the pool (压担子), with what they did
    (工作实绩) and the township's rating once it is done."""

    scope_path_field = "candidate__village__path"

    candidate = models.ForeignKey(
        "reserves.ReserveCandidate",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name="后备力量",
    )
    kind = models.CharField("任务类别", max_length=24, choices=AssignmentKind.choices)
    title = models.CharField("任务名称", max_length=128)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    performance = models.TextField("工作实绩", blank=True)
    rating = models.CharField(
        "乡镇评价", max_length=8, choices=AssignmentRating.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "后备力量压担子任务"
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.title}"


class VillageCommitteePosition(models.TextChoices):
    CHAIR = "chair", "主任"
    VICE_CHAIR = "vice_chair", "副主任"
    MEMBER = "member", "委员"


class VillageCommitteeMember(SealedModel):
    """One person's term on a village committee (村民委员会成员及任期); current until ended."""

    scope_path_field = "village__path"

    village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    name = models.CharField("姓名", max_length=64)
    # Encrypted at rest (core.fields); one current term per person and village is kept on
    # the blind index.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField("公民身份号码（盲索引）", source="id_number")
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    position = models.CharField("职务", max_length=16, choices=VillageCommitteePosition.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    from_reserve = models.ForeignKey(
        "reserves.ReserveCandidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="来自后备力量",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SealedReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "村民委员会成员"
        ordering = ["village__path", "ended_on", "position", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "id_number_index"],
                condition=Q(ended_on__isnull=True),
                name="uniq_current_village_committee_member",
                violation_error_message="此人已在本村村民委员会任职。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"


class VillageElection(models.Model):
    """A village's 两委 election (村“两委”换届选举) as far as reserves are concerned: when it
    was held, and which reserves were elected to which seat (ElectedReserve)."""

    scope_path_field = "village__path"

    village = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    held_on = models.DateField("选举日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "村“两委”换届选举"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.village} {self.held_on:%Y-%m-%d} 换届"


class ElectedBody(models.TextChoices):
    BRANCH_COMMITTEE = "branch_committee", "支部委员会"
    VILLAGE_COMMITTEE = "village_committee", "村民委员会"


class ElectedReserve(models.Model):
    """A reserve elected at a village election (当选的后备力量), and the seat they took: a branch
    committee seat (orgs.CommitteeSeat) or a village committee term (VillageCommitteeMember)."""

    scope_path_field = "election__village__path"

    election = models.ForeignKey(
        VillageElection, on_delete=models.CASCADE, related_name="elected", verbose_name="换届选举"
    )
    candidate = models.ForeignKey(
        "reserves.ReserveCandidate",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="后备力量",
    )
    body = models.CharField("当选组织", max_length=20, choices=ElectedBody.choices)
    position = models.CharField("职务", max_length=32)
    committee_seat = models.ForeignKey(
        "orgs.CommitteeSeat",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="支部委员任职",
    )
    village_committee_member = models.ForeignKey(
        VillageCommitteeMember,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="村民委员会任职",
    )

    objects = ReserveQuerySet.as_manager()

    class Meta:
        verbose_name = "当选的后备力量"
        ordering = ["election", "id"]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.get_body_display()}{self.position_label}"

    @property
    def position_label(self) -> str:
        choices = (
            CommitteePosition
            if self.body == ElectedBody.BRANCH_COMMITTEE
            else VillageCommitteePosition
        )
        return dict(choices.choices).get(self.position, self.position)
