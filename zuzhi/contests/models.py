from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.core.scope import ScopedQuerySet

from .querysets import EntrantQuerySet

# Scope: a row about one entrant reaches the tree through the entrant's organization (a township
# sees its own villages' figures in a county contest; a talent entrant is the talent office's
# alone: EntrantQuerySet); the set-up, judging and versions through the organizer.
USER = settings.AUTH_USER_MODEL
SCORE = {"max_digits": 7, "decimal_places": 2}


class Track(models.TextChoices):
    VILLAGE = "village", "村级党组织"
    TOWNSHIP = "township", "乡镇党委"
    COUNTY_UNIT = "county_unit", "县直单位"
    MEMBER = "member", "党员"
    RETIRED_CADRE = "retired_cadre", "老干部驻村"
    # Talents of the registry (人才评选: 拔尖人才, 回创之星), run by the talent office alone.
    TALENT = "talent", "人才"


# Tracks whose entrants are people; the others are organizations.
PERSON_TRACKS = frozenset({Track.MEMBER, Track.RETIRED_CADRE, Track.TALENT})


class ContestStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    RUNNING = "running", "进行中"
    PUBLISHED = "published", "结果已发布"
    REVISING = "revising", "结果更正中"


class EdgeTies(models.TextChoices):
    """Entrants tied across a list's line (名额线上的并列): all in, the list growing, or none."""

    ALL_IN = "all_in", "并列者全部列入（名额相应增加）"
    NONE_IN = "none_in", "跨过名额线的并列者均不列入"


class Contest(models.Model):
    """A contest or evaluation (考评竞赛): who competes, on what, and how scores combine."""

    # The organizer (主办单位). Who may open a contest is wider: see selectors.contest_visible_q.
    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contests",
        help_text="主办单位；模板没有主办单位。",
    )
    name = models.CharField("名称", max_length=100)
    track = models.CharField("参评类别", max_length=16, choices=Track.choices)
    period_label = models.CharField("考评周期", max_length=32)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    status = models.CharField(
        max_length=16, choices=ContestStatus.choices, default=ContestStatus.DRAFT
    )
    is_template = models.BooleanField("模板", default=False)
    top_n = models.PositiveSmallIntegerField("入选名额", null=True, blank=True)
    red_list_size = models.PositiveSmallIntegerField("红榜名额", default=0)
    black_list_size = models.PositiveSmallIntegerField("黑榜名额", default=0)
    edge_ties = models.CharField(
        "名额线上的并列", max_length=8, choices=EdgeTies.choices, default=EdgeTies.ALL_IN
    )
    tiers = models.JSONField("等次", default=list, blank=True)
    bonus_limit = models.DecimalField("加分上限", default=Decimal(5), **SCORE)
    penalty_limit = models.DecimalField("减分上限", default=Decimal(5), **SCORE)
    supervision_days = models.PositiveSmallIntegerField("督办期限（天）", default=30)
    revision_reason = models.CharField("更正理由", max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(organization__isnull=False),
                name="contest_has_organizer",
            )
        ]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    INDICATORS = "indicators", "指标数据"
    JUDGES = "judges", "评委评分"
    PUBLIC_VOTE = "public_vote", "群众投票"
    PUBLIC_REPORT = "public_report", "公开汇报"
    APPRAISAL = "appraisal", "民主测评"


class Aggregation(models.TextChoices):
    MEAN = "mean", "算术平均"
    TRIMMED = "trimmed", "去掉一个最高分和一个最低分后平均"


class TrimOn(models.TextChoices):
    TOTAL = "total", "按总分"
    CRITERION = "criterion", "按每项评分标准"


class VoteMethod(models.TextChoices):
    SHARE = "share", "按得票占比"
    RANK = "rank", "按得票名次折算"


class Stage(models.Model):
    """One score source of a contest (计分环节), weighted into the final score."""

    scope_path_field = "contest__organization__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField("类型", max_length=16, choices=StageKind.choices)
    name = models.CharField("名称", max_length=60)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)
    aggregation = models.CharField(
        "评委分计算", max_length=8, choices=Aggregation.choices, default=Aggregation.TRIMMED
    )
    trim_on = models.CharField(
        "去分方式", max_length=10, choices=TrimOn.choices, default=TrimOn.TOTAL
    )
    vote_method = models.CharField(
        "投票折算", max_length=8, choices=VoteMethod.choices, default=VoteMethod.RANK
    )
    rank_points = models.PositiveSmallIntegerField("第一名分值 N", default=30)
    votes_per_day = models.PositiveSmallIntegerField("每人每天票数", default=1)
    votes_per_entrant = models.PositiveSmallIntegerField(
        "每人对同一对象票数（0 为不限）", default=0
    )
    votes_total = models.PositiveSmallIntegerField("每人总票数（0 为不限）", default=0)
    vote_opens_at = models.DateTimeField("投票开始", null=True, blank=True)
    vote_closes_at = models.DateTimeField("投票截止", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """A scoring criterion of a judges' or public-report stage (评分标准)."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("评分项", max_length=60)
    max_score = models.DecimalField("满分", **SCORE)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class RaterGroup(models.Model):
    """A weighted group of raters in a democratic appraisal stage (测评主体)."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rater_groups")
    name = models.CharField("测评主体", max_length=40)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class Method(models.TextChoices):
    RAW = "raw", "原始分"
    MINMAX = "minmax", "极差标准化"
    RANK = "rank", "按名次"
    TARGET = "target", "目标完成率"


class Indicator(models.Model):
    """A node of an indicator scheme (指标体系); weights are shares among siblings."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField("指标", max_length=60)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.MINMAX)
    target = models.DecimalField("目标值", max_digits=14, decimal_places=4, null=True, blank=True)
    cap = models.DecimalField("得分上限", max_digits=7, decimal_places=2, null=True, blank=True)
    unit = models.CharField("单位", max_length=16, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Entrant(models.Model):
    """An entrant (参评对象): an organization, or a person with the organization they belong to,
    which is what scopes them; a talent of the registry (talent track) under the organizer."""

    scope_path_field = "organization__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entrants")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="contest_entries"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    talent = models.ForeignKey(
        "talent.Talent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="人才",
    )
    name = models.CharField("名称", max_length=100)
    number = models.PositiveIntegerField("编号")
    story = models.TextField("事迹简介", blank=True)
    photo = models.FileField("照片", upload_to="contests/photos/%Y/", blank=True)

    objects = EntrantQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="entrant_number_unique"),
            models.UniqueConstraint(
                fields=["contest", "organization"],
                condition=Q(member__isnull=True, talent__isnull=True),
                name="entrant_org_once",
            ),
            models.UniqueConstraint(
                fields=["contest", "talent"],
                condition=Q(talent__isnull=False),
                name="entrant_talent_once",
            ),
            models.UniqueConstraint(
                fields=["contest", "member"],
                condition=Q(member__isnull=False),
                name="entrant_member_once",
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    """An entrant's raw value on a leaf indicator (指标数据) for the contest's period."""

    scope_path_field = "entrant__organization__path"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    entrant = models.ForeignKey(
        Entrant, on_delete=models.CASCADE, related_name="indicator_values", db_index=False
    )
    # The value in ten-thousandths, an integer: scoring runs as integer arithmetic in the
    # database, exact and fast on both SQLite and PostgreSQL.
    scaled = models.BigIntegerField("数值（万分之一）")
    note = models.CharField("说明", max_length=200, blank=True)
    evidence = models.FileField("佐证材料", upload_to="contests/evidence/%Y/", blank=True)
    entered_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    objects = EntrantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "entrant"], name="one_value_per_indicator")
        ]
        indexes = [
            # Both cover scoring, so the table itself is not read: an indicator's values in
            # order (ranks without a sort), and each entrant's values together (the weighted
            # sum grouped without a sort; it also serves the entrant's foreign key).
            models.Index(fields=["indicator", "scaled", "entrant"], name="indicator_value_order"),
            models.Index(fields=["entrant", "indicator", "scaled"], name="entrant_value_scores"),
        ]

    def __str__(self):
        return f"{self.entrant_id}·{self.indicator_id}：{self.value}"

    @property
    def value(self) -> Decimal:
        return Decimal(self.scaled).scaleb(-4)


class DirectScore(models.Model):
    """A score entered as a whole for a public report (公开汇报) or one rater group of an
    appraisal stage (民主测评), on 0–100."""

    scope_path_field = "entrant__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="direct_scores")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="+")
    rater_group = models.ForeignKey(
        RaterGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField("得分", **SCORE)
    entered_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    objects = EntrantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "entrant", "rater_group"], name="one_direct_score"
            ),
            models.UniqueConstraint(
                fields=["stage", "entrant"],
                condition=Q(rater_group__isnull=True),
                name="one_report_score",
            ),
        ]

    def __str__(self):
        return f"{self.entrant_id}·{self.stage_id}：{self.score}"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", "加分"
    PENALTY = "penalty", "减分"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Adjustment(models.Model):
    """A bonus or penalty item (加减分项) with reason and evidence; counts once the county
    approves it."""

    scope_path_field = "entrant__organization__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="adjustments")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="adjustments")
    kind = models.CharField(max_length=8, choices=AdjustmentKind.choices)
    amount = models.DecimalField("分值", **SCORE)
    reason = models.CharField("事由", max_length=200)
    evidence = models.FileField("佐证材料", upload_to="contests/evidence/%Y/")
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    objects = EntrantQuerySet.as_manager()

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}：{self.reason}"

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind == AdjustmentKind.BONUS else -self.amount


class JudgeSeat(models.Model):
    """A judge seated on a judges' stage (评委席位); judges see only their contests."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="seats")
    judge = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="judge_seats")
    seat_no = models.PositiveSmallIntegerField("评委编号")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["seat_no"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "judge"], name="one_seat_per_judge"),
            models.UniqueConstraint(fields=["stage", "seat_no"], name="seat_no_unique"),
        ]

    def __str__(self):
        return f"{self.seat_no}号评委"


class AppearanceStatus(models.TextChoices):
    WAITING = "waiting", "候场"
    OPEN = "open", "评分中"
    CLOSED = "closed", "评分结束"


class Appearance(models.Model):
    """An entrant's turn before a judges' panel (出场); scores are shown once it is closed."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="appearances")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField("出场顺序")
    status = models.CharField(
        max_length=8, choices=AppearanceStatus.choices, default=AppearanceStatus.WAITING
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "entrant"], name="one_appearance"),
            # At most one entrant is on stage at a time.
            models.UniqueConstraint(
                fields=["stage"], condition=Q(status="open"), name="one_open_appearance"
            ),
        ]

    def __str__(self):
        return f"第 {self.order} 位出场"


class ScoreSheet(models.Model):
    """One judge's submitted scores for one entrant (评分表); submitted once."""

    scope_path_field = "stage__contest__organization__path"

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="sheets")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="+")
    judge = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    marks = models.JSONField("各项得分")  # {criterion id: "score"} as strings: exact decimals
    total = models.DecimalField("合计", **SCORE)
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "entrant", "judge"], name="one_sheet_per_judge"
            )
        ]

    def __str__(self):
        return f"评分表 {self.pk}"


class ScoreCorrection(models.Model):
    """A judge's request to correct a submitted sheet (更正评分), decided by the contest's
    secretary."""

    scope_path_field = "sheet__stage__contest__organization__path"

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="corrections")
    marks = models.JSONField("更正后得分")
    reason = models.CharField("更正理由", max_length=200)
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    def __str__(self):
        return f"评分更正 {self.pk}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被更正"


class ResultVersion(models.Model):
    """A computed result of a contest (考评结果); published versions never change."""

    scope_path_field = "contest__organization__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("版本")
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    reason = models.CharField("更正理由", max_length=200, blank=True)
    computed_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "number"], name="result_version_unique")
        ]

    def __str__(self):
        return f"第 {self.number} 版结果"


class ListMark(models.TextChoices):
    NONE = "", ""
    RED = "red", "红榜"
    BLACK = "black", "黑榜"


class ResultRow(models.Model):
    scope_path_field = "entrant__organization__path"

    version = models.ForeignKey(ResultVersion, on_delete=models.CASCADE, related_name="rows")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="+")
    stage_scores = models.JSONField("各环节得分")  # {stage id: "score" or null}
    adjustment = models.DecimalField("加减分", **SCORE)
    final = models.DecimalField("总分", **SCORE)
    rank = models.PositiveIntegerField("名次")
    tier = models.CharField("等次", max_length=20, blank=True)
    selected = models.BooleanField("入选", default=False)
    list_mark = models.CharField(max_length=5, choices=ListMark.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = EntrantQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "entrant__number"]

    def __str__(self):
        return f"第 {self.rank} 名"


class CaseStatus(models.TextChoices):
    OPEN = "open", "督办中"
    CLOSED = "closed", "已办结"


class SupervisionCase(models.Model):
    """A supervision case (督办) opened for a black-listed entrant."""

    scope_path_field = "entrant__organization__path"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="cases")
    version = models.ForeignKey(ResultVersion, on_delete=models.PROTECT, related_name="+")
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="cases")
    owner = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("办结期限")
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    resolution = models.TextField("整改情况", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EntrantQuerySet.as_manager()

    def __str__(self):
        return f"督办 {self.pk}"


# The public vote's tables live with the rest of the vote (contests.voting); imported here so
# that Django registers them with this app and `contests.models` names every model.
from .voting.models import Vote, VoteCode, VoteQuota  # noqa: E402, F401
