"""Talent apartments (人才公寓): the county's buildings and their flats, talents' applications
for one, and the allocation of a flat to a talent with its agreement, check-in, renewals,
return and inspection.

A flat's state is not stored: it follows from its status (available or under maintenance,
set by the office) and its active allocation (`rules.flat_state`). One active allocation per
flat and per talent is a database constraint, so two clerks allocating at the same moment
cannot both succeed. Money is integer fen."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.talent.scoping import TalentQuerySet


class Building(models.Model):
    """A building of talent apartments (人才公寓楼栋): 专家人才公寓, 青年人才公寓."""

    scope_path_field = "county__path"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    name = models.CharField("楼栋名称", max_length=64)
    address = models.CharField("地址", max_length=128, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才公寓楼栋"
        verbose_name_plural = verbose_name
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="one_apartment_building_name")
        ]

    def __str__(self) -> str:
        return self.name


class FlatStatus(models.TextChoices):
    AVAILABLE = "available", "可分配"
    MAINTENANCE = "maintenance", "维修中"


class Flat(models.Model):
    """A flat (房间) of a building: "3-201", its floor, layout (户型), area in m²."""

    scope_path_field = "building__county__path"

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="flats", verbose_name="楼栋"
    )
    number = models.CharField("房号", max_length=16)
    floor = models.SmallIntegerField("楼层")
    layout = models.CharField("户型", max_length=32, blank=True)
    area = models.DecimalField("面积（㎡）", max_digits=7, decimal_places=2)
    furnished = models.BooleanField("已配家具家电", default=True)
    status = models.CharField(
        "房间状态", max_length=12, choices=FlatStatus.choices, default=FlatStatus.AVAILABLE
    )
    note = models.CharField("备注", max_length=200, blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才公寓房间"
        verbose_name_plural = verbose_name
        ordering = ["building", "floor", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="one_flat_number"),
            models.CheckConstraint(condition=Q(area__gt=0), name="flat_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name} {self.number}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意待分配"
    REJECTED = "rejected", "未同意"
    ALLOCATED = "allocated", "已分配"


class ApartmentApplication(models.Model):
    """A talent's application for a flat (入住申请), with the wish (building, layout),
    reviewed by the talent office. An approved application is what a flat is allocated from,
    once: the allocation consumes it (已分配), a cancelled allocation gives it back."""

    scope_path_field = "county__path"
    own_field = "talent__user"

    county = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所属县"
    )
    talent = models.ForeignKey(
        "talent.Talent",
        on_delete=models.PROTECT,
        related_name="apartment_applications",
        verbose_name="申请人",
    )
    building = models.ForeignKey(
        Building,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="意向楼栋",
    )
    layout = models.CharField("意向户型", max_length=32, blank=True)
    reason = models.TextField("申请理由", blank=True)
    applied_on = models.DateField("申请日期")
    status = models.CharField(
        "审核状态",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    decision_reason = models.CharField("审核意见", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才公寓入住申请"
        verbose_name_plural = verbose_name
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["county", "status"])]

    def __str__(self) -> str:
        return f"{self.talent.name}的入住申请"


class AllocationStatus(models.TextChoices):
    ALLOCATED = "allocated", "已分配待入住"
    CHECKED_IN = "checked_in", "已入住"
    RETURNED = "returned", "已退房待验房"
    CLOSED = "closed", "已验房结束"
    CANCELLED = "cancelled", "未入住已取消"


# The allocations that hold their flat (the flat is free again once inspected) and their
# talent (a talent who has handed back the keys may be given another flat).
FLAT_HOLDING = [AllocationStatus.ALLOCATED, AllocationStatus.CHECKED_IN, AllocationStatus.RETURNED]
TALENT_HOLDING = [AllocationStatus.ALLOCATED, AllocationStatus.CHECKED_IN]


class Condition(models.TextChoices):
    GOOD = "good", "完好"
    WORN = "worn", "正常损耗"
    DAMAGED = "damaged", "有损坏"


class Allocation(models.Model):
    """The allocation of a flat to a talent (分配), made from the talent's approved application
    (入住申请): the agreement period (协议期), its terms
    (rent-free or a monthly rent, a deposit), then check-in (入住), renewals (续签), the return
    (退房) and the inspection (验房) that frees the flat."""

    scope_path_field = "flat__building__county__path"
    own_field = "talent__user"

    flat = models.ForeignKey(
        Flat, on_delete=models.PROTECT, related_name="allocations", verbose_name="房间"
    )
    talent = models.ForeignKey(
        "talent.Talent",
        on_delete=models.PROTECT,
        related_name="apartment_allocations",
        verbose_name="入住人才",
    )
    application = models.ForeignKey(
        ApartmentApplication,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name="入住申请",
    )
    status = models.CharField(
        "状态", max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.ALLOCATED
    )
    start = models.DateField("协议起始日")
    end = models.DateField("协议到期日")
    rent_free = models.BooleanField("免租", default=True)
    rent_fen = models.PositiveIntegerField("月租金（分）", default=0)
    deposit_fen = models.PositiveIntegerField("押金（分）", null=True, blank=True)
    allocated_at = models.DateTimeField("分配时间", auto_now_add=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )
    checked_in_on = models.DateField("入住日期", null=True, blank=True)
    keys_handed = models.PositiveSmallIntegerField("交付钥匙（把）", null=True, blank=True)
    checked_in_at = models.DateTimeField("入住登记时间", null=True, blank=True)
    returned_on = models.DateField("退房日期", null=True, blank=True)
    keys_returned = models.PositiveSmallIntegerField("交回钥匙（把）", null=True, blank=True)
    returned_at = models.DateTimeField("退房登记时间", null=True, blank=True)
    inspected_on = models.DateField("验房日期", null=True, blank=True)
    condition = models.CharField("房屋状况", max_length=12, choices=Condition.choices, blank=True)
    damages = models.TextField("损坏情况", blank=True)
    deduction_fen = models.PositiveIntegerField("扣款（分）", default=0)
    inspection_note = models.TextField("验房备注", blank=True)
    inspected_at = models.DateTimeField("验房登记时间", null=True, blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才公寓分配"
        verbose_name_plural = verbose_name
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"],
                condition=Q(status__in=FLAT_HOLDING),
                name="one_active_allocation_per_flat",
                violation_error_message="该房间已分配给他人，不能重复分配。",
            ),
            models.UniqueConstraint(
                fields=["talent"],
                condition=Q(status__in=TALENT_HOLDING),
                name="one_active_allocation_per_talent",
                violation_error_message="该人才已分配有人才公寓，不能重复分配。",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=~Q(status=AllocationStatus.CANCELLED),
                name="one_allocation_per_application",
                violation_error_message="该入住申请已分配房间，一份申请只能分配一次。",
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="allocation_dates"),
            models.CheckConstraint(
                condition=Q(rent_free=False) | Q(rent_fen=0), name="allocation_rent_free_no_rent"
            ),
        ]
        indexes = [models.Index(fields=["status", "end"])]

    def __str__(self) -> str:
        return f"{self.flat} · {self.talent.name}"


class AllocationRenewal(models.Model):
    """A renewal of an agreement (续签): the end before and after, kept as history."""

    scope_path_field = "allocation__flat__building__county__path"
    own_field = "allocation__talent__user"

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="renewals", verbose_name="分配"
    )
    previous_end = models.DateField("原到期日")
    new_end = models.DateField("续签后到期日")
    renewed_on = models.DateField("续签日期")
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="经办人",
    )

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = "人才公寓续签"
        verbose_name_plural = verbose_name
        ordering = ["renewed_on", "id"]

    def __str__(self) -> str:
        return f"续签至 {self.new_end:%Y-%m-%d}"
