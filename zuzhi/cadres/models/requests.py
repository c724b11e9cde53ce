"""A cadre's request to correct their own record (更正申请): what field, what it says, what it
should say and why; the cadre section handles it and corrects the record through the
registry's own edit, so the record has one writer."""

from django.conf import settings
from django.db import models

from .scoping import CadreQuerySet

# What a cadre may ask to correct: the fields of their record they can check themselves,
# and the parts kept as rows (career, family) or anything else, described in the request.
CORRECTABLE_FIELDS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "native_place": "籍贯",
    "birthplace": "出生地",
    "party_joined": "入党时间",
    "work_started": "参加工作时间",
    "health": "健康状况",
    "professional_title": "专业技术职务",
    "expertise": "熟悉专业有何专长",
    "full_time_education": "全日制教育学历",
    "full_time_degree": "全日制教育学位",
    "full_time_education_school": "全日制教育毕业院校系及专业",
    "in_service_education": "在职教育学历",
    "in_service_degree": "在职教育学位",
    "in_service_education_school": "在职教育毕业院校系及专业",
    "unit_name": "工作单位",
    "current_post": "现任职务",
    "career": "简历（履历）",
    "family": "家庭主要成员及重要社会关系",
    "other": "其他",
}


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    CORRECTED = "corrected", "已更正"
    REFUSED = "refused", "不予更正"


class CorrectionRequest(models.Model):
    """A request from a cadre's own account to correct a field of their record."""

    scope_path_field = "cadre__organization__path"
    own_field = "cadre__user"

    cadre = models.ForeignKey(
        "cadres.Cadre", on_delete=models.CASCADE, related_name="correction_requests"
    )
    field = models.CharField("更正项目", max_length=48, choices=list(CORRECTABLE_FIELDS.items()))
    current_value = models.CharField("现记载内容", max_length=255, blank=True)
    requested_value = models.CharField("应更正为", max_length=255)
    reason = models.TextField("更正理由")
    status = models.CharField(
        "状态", max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    reply = models.TextField("处理意见", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "干部信息更正申请"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cadre}：更正{self.field}"
