"""Households of the town's communities and the county-unit members linked to them
(千名党员联万户): each household has one linked member at a time, about ten per member; the
links are kept as a history. Who sees what: scoping.py."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from zuzhi.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    MaskedField,
    SealedModel,
    SealedQuerySetMixin,
)

from .scoping import HouseholdQuerySet, ThroughHouseholdQuerySet


def new_household_token() -> str:
    """The address of a household's public request page (its QR code): unguessable."""
    return secrets.token_urlsafe(12)


class SealedHouseholdQuerySet(SealedQuerySetMixin, HouseholdQuerySet):
    """The household rule's queryset, writing the encrypted fields' companions."""


class Household(SealedModel):
    """A household (联系户): address, community and grid, head and phone. `member` is the
    currently linked member (kept by the linking services; the history is HouseholdLink)."""

    scope_path_field = "community__path"

    community = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="社区（村）"
    )
    grid = models.CharField("网格", max_length=32, blank=True)
    address = models.CharField("住址", max_length=200)
    head_name = models.CharField("户主姓名", max_length=64)
    head_initials = models.CharField(max_length=160, blank=True, db_index=True, editable=False)
    # Encrypted at rest (core.fields): lists and exports show the masked copies.
    head_id_number = EncryptedCharField(
        "户主公民身份号码",
        kind="id_number",
        max_length=18,
        blank=True,
        index_field="head_id_number_index",
        masked_field="head_id_number_masked",
    )
    head_id_number_index = BlindIndexField("户主公民身份号码（盲索引）", source="head_id_number")
    head_id_number_masked = MaskedField("户主公民身份号码（脱敏）", source="head_id_number")
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
    people = models.PositiveSmallIntegerField("家庭人口", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_households",
        verbose_name="联系党员",
    )
    qr_token = models.CharField(
        max_length=32, unique=True, default=new_household_token, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SealedHouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "联系户"
        verbose_name_plural = verbose_name
        ordering = ["community__path", "grid", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "address"],
                name="one_household_per_address",
                violation_error_message="本社区（村）已登记该住址的住户。",
            )
        ]
        indexes = [models.Index(fields=["community", "grid"])]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.address}）"


class HouseholdLink(models.Model):
    """One member's link to one household, from when to when (联户关系). A household has at
    most one current link; ended links stay as its history."""

    scope_path_field = "household__community__path"

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="links", verbose_name="联系户"
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="household_links",
        verbose_name="联系党员",
    )
    started_on = models.DateField("联系开始日期")
    ended_on = models.DateField("联系结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThroughHouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "联户关系"
        verbose_name_plural = verbose_name
        ordering = ["household", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="one_current_link_per_household",
            )
        ]
        indexes = [models.Index(fields=["member", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.household}"
