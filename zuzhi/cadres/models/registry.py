"""A cadre's record (干部信息): the appointment form's fields, career, rewards, assessments,
family. Year-month dates are kept as the form writes them, digits only: `197805`, or
`19780512` when the day is known (see `zuzhi.cadres.yearmonth`)."""

from django.conf import settings
from django.db import models

from zuzhi.core.fields import BlindIndexField, EncryptedCharField, MaskedField, SealedModel

from .ranks import LeadershipLevel, Rank, StaffGrade
from .scoping import CadreQuerySet, SealedCadreQuerySet

YM_LENGTH = 8


def _ym(label: str, **kwargs) -> models.CharField:
    return models.CharField(label, max_length=YM_LENGTH, blank=True, **kwargs)


class Cadre(SealedModel):
    """A cadre (干部): one record per person, identified by the ID number, linked to the
    member registry when the person is a Party member and to their own login account."""

    scope_path_field = "organization__path"
    own_field = "user"

    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="cadres",
        verbose_name="所在单位党组织",
    )
    unit_name = models.CharField("工作单位", max_length=128, blank=True)
    member = models.OneToOneField(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
        verbose_name="党员信息",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre_record",
        verbose_name="本人账号",
    )
    # Encrypted at rest (core.fields): searched and kept unique through the blind index,
    # shown masked from the masked copy; birth date and gender are derived at write time.
    id_number = EncryptedCharField(
        "公民身份号码",
        kind="id_number",
        max_length=18,
        index_field="id_number_index",
        masked_field="id_number_masked",
    )
    id_number_index = BlindIndexField(
        "公民身份号码（盲索引）",
        source="id_number",
        unique=True,
        error_messages={"unique": "该公民身份号码已登记为干部，一人只能有一份干部信息。"},
    )
    id_number_masked = MaskedField("公民身份号码（脱敏）", source="id_number")
    name = models.CharField("姓名", max_length=32)
    name_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=1, blank=True)  # GB22611
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=2, blank=True)  # GB3304
    native_place = models.CharField("籍贯", max_length=64, blank=True)
    birthplace = models.CharField("出生地", max_length=64, blank=True)
    party_joined = _ym("入党时间")
    party_joined_note = models.CharField("民主党派", max_length=64, blank=True)
    work_started = _ym("参加工作时间")
    health = models.CharField("健康状况", max_length=32, blank=True)
    phone = EncryptedCharField(
        "联系电话",
        kind="phone",
        max_length=20,
        blank=True,
        index_field="phone_index",
        masked_field="phone_masked",
    )
    phone_index = BlindIndexField("联系电话（盲索引）", source="phone")
    phone_masked = MaskedField("联系电话（脱敏）", source="phone")
    professional_title = models.CharField("专业技术职务", max_length=64, blank=True)
    expertise = models.CharField("熟悉专业有何专长", max_length=200, blank=True)
    full_time_education = models.CharField("全日制教育学历", max_length=64, blank=True)
    full_time_degree = models.CharField("全日制教育学位", max_length=64, blank=True)
    full_time_education_school = models.CharField(
        "全日制教育毕业院校系及专业（学历）", max_length=200, blank=True
    )
    full_time_degree_school = models.CharField(
        "全日制教育毕业院校系及专业（学位）", max_length=200, blank=True
    )
    in_service_education = models.CharField("在职教育学历", max_length=64, blank=True)
    in_service_degree = models.CharField("在职教育学位", max_length=64, blank=True)
    in_service_education_school = models.CharField(
        "在职教育毕业院校系及专业（学历）", max_length=200, blank=True
    )
    in_service_degree_school = models.CharField(
        "在职教育毕业院校系及专业（学位）", max_length=200, blank=True
    )
    # The highest of the two educations as a ZB64 code: what team structure counts.
    education = models.CharField("最高学历", max_length=4, blank=True)
    # Specialties (熟悉经济, 懂法律…) as tags, separated by 、 — what team targets count.
    specialties = models.CharField("专长标签", max_length=200, blank=True)
    current_post = models.CharField("现任职务", max_length=255, blank=True)
    proposed_post = models.CharField("拟任职务", max_length=255, blank=True)
    post_to_leave = models.CharField("拟免职务", max_length=255, blank=True)
    resume = models.TextField("简历", blank=True)
    # True once the résumé is written from the career rows; an imported résumé is kept as
    # the city wrote it until someone edits the career.
    resume_from_career = models.BooleanField("简历由履历生成", default=False)
    rewards_and_punishments = models.TextField("奖惩情况", blank=True)
    annual_assessments = models.TextField("年度考核结果", blank=True)
    appointment_reason = models.TextField("任免理由", blank=True)
    submitting_unit = models.CharField("呈报单位", max_length=128, blank=True)
    age_reference_date = _ym("计算年龄时间")
    filled_date = _ym("填表时间")
    filled_by = models.CharField("填表人", max_length=32, blank=True)
    photo = models.BinaryField("照片", blank=True, default=b"", editable=False)
    leadership_level = models.CharField(
        "领导职务层次", max_length=24, blank=True, choices=LeadershipLevel.choices
    )
    rank = models.CharField("职级", max_length=24, blank=True, db_index=True, choices=Rank.choices)
    rank_since = models.DateField("任现职级时间", null=True, blank=True)
    staff_grade = models.CharField(
        "职员等级", max_length=24, blank=True, choices=StaffGrade.choices
    )
    staff_grade_since = models.DateField("任现职员等级时间", null=True, blank=True)
    # The last imported `.lrmx` file: an export rewrites only what changed in it, so every
    # element Zuzhi does not model goes back to the city as it came.
    lrmx_source = models.BinaryField(null=True, blank=True, editable=False)
    lrmx_version = models.CharField("审批表版本", max_length=16, blank=True)
    is_active = models.BooleanField("在职", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedCadreQuerySet.as_manager()

    class Meta:
        verbose_name = "干部"
        ordering = ["organization__path", "name"]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return self.name


class CareerEntry(models.Model):
    """One period of a cadre's career (简历/履历): from, to (empty while current), unit, post."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="career")
    position = models.PositiveSmallIntegerField("序号", default=0)
    start = _ym("起始年月")
    end = _ym("截止年月")
    unit = models.CharField("单位", max_length=200, blank=True)
    post = models.CharField("职务", max_length=255, blank=True)
    rank = models.CharField("职级", max_length=24, blank=True)
    # Continuation lines (其间…) kept with the period they belong to.
    note = models.TextField("说明", blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "履历"
        ordering = ["cadre", "position"]

    def __str__(self) -> str:
        return f"{self.start}-{self.end} {self.unit}{self.post}"


class RewardPunishment(models.Model):
    """A reward or a punishment (奖惩) on a cadre's record."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    class Kind(models.TextChoices):
        REWARD = "reward", "奖励"
        PUNISHMENT = "punishment", "惩处"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="rewards")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    date = _ym("时间")
    description = models.CharField("内容", max_length=255)
    authority = models.CharField("批准机关", max_length=128, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "奖惩"
        ordering = ["cadre", "date"]

    def __str__(self) -> str:
        return self.description


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASICALLY = "basically", "基本称职"
    INCOMPETENT = "incompetent", "不称职"
    UNRATED = "unrated", "不定等次"


class AnnualAssessment(models.Model):
    """A cadre's annual assessment result (年度考核结果)."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField("年度")
    result = models.CharField("考核结果", max_length=12, choices=AssessmentResult.choices)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "年度考核"
        ordering = ["cadre", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year"], name="uniq_cadre_assessment_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_result_display()}"


class FamilyMember(models.Model):
    """A family member or important social relation (家庭主要成员及重要社会关系)."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="family")
    position = models.PositiveSmallIntegerField("序号", default=0)
    relation = models.CharField("称谓", max_length=16, blank=True)
    name = models.CharField("姓名", max_length=32, blank=True)
    birth = _ym("出生年月")
    political_status = models.CharField("政治面貌", max_length=32, blank=True)
    work_and_post = models.CharField("工作单位及职务", max_length=255, blank=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        ordering = ["cadre", "position"]

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"
