"""Writes of households and their links (联系户与联户关系): each validates, writes and audits
in one transaction. The Excel import (importers.py) checks rows with `household_rules` and
inserts them with `household_bulk_insert`; pages, API and import share these rules."""

import datetime
import heapq
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_bulk_record, audit_record, changed_fields, snapshot
from zuzhi.core.cells import normalize_person_name
from zuzhi.core.models import AuditAction
from zuzhi.core.phones import phone_clean
from zuzhi.core.scope import acting_user, require_in_scope
from zuzhi.core.text import initials_index
from zuzhi.members.models import Member

from .models import Household, HouseholdLink
from .rules import (
    NOT_COMMUNITY,
    NOT_COUNTY_UNIT,
    county_unit_member_q,
    is_community,
    is_county_unit_member,
    link_cap,
)

EDITABLE_FIELDS = ["grid", "address", "head_name", "head_id_number", "phone", "people", "note"]
# Rows per statement of the bulk writes (SQLite limits the parameters of one query).
CHUNK = 2000
RELINK_REASON = "改由其他党员联系"
BULK_REASON = "批量分配时改由其他党员联系"


class LinkRefused(ValidationError):
    """A link a rule refuses (over the cap, not a county unit member, already linked)."""


def household_rules(data: dict[str, Any], *, today: datetime.date | None = None) -> dict:
    """`data` cleaned in place (name, phone, ID number in their stored form) and the errors by
    field, in Chinese: the one check of a household's fields for the form, the API and the
    import."""
    errors: dict[str, list[str]] = {}
    for field, label, limit in (
        ("address", "住址", 200),
        ("head_name", "户主姓名", 64),
        ("grid", "网格", 32),
        ("note", "备注", 200),
    ):
        raw = str(data.get(field) or "")
        # A grid is a short label (第2网格): spaces typed into it are dropped.
        value = "".join(raw.split()) if field == "grid" else raw.strip()
        if field == "head_name":
            value = normalize_person_name(value)
        data[field] = value
        if not value and field in ("address", "head_name"):
            errors.setdefault(field, []).append(f"请填写{label}。")
        elif len(value) > limit:
            errors.setdefault(field, []).append(f"{label}不能超过 {limit} 个字。")
    number = str(data.get("head_id_number") or "").strip()
    if number:
        try:
            number = idnumber.validate(number, living=True, today=today)
        except idnumber.IdNumberError as exc:
            errors.setdefault("head_id_number", []).append(str(exc))
    data["head_id_number"] = number
    try:
        data["phone"] = phone_clean(data.get("phone") or "", landline=True)
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    people = data.get("people")
    if people in ("", None):
        data["people"] = None
    elif not isinstance(people, int) or isinstance(people, bool) or not 1 <= people <= 99:
        errors.setdefault("people", []).append("家庭人口应为 1 至 99 的整数。")
    return errors


def _require_community(actor, community) -> None:
    require_in_scope(actor, community.path, target=community)
    if not is_community(community):
        raise ValidationError({"community": [NOT_COMMUNITY.format(name=community.name)]})


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _address_taken(community, address: str, exclude_pk=None) -> bool:
    qs = Household.objects.filter(community=community, address=address)
    return qs.exclude(pk=exclude_pk).exists() if exclude_pk else qs.exists()


ADDRESS_TAKEN = "本社区（村）已登记该住址的住户。"


def household_create(*, actor, community, data: dict[str, Any]) -> Household:
    """Register a household (登记住户) in a village or community of the actor's scope."""
    data = {k: data.get(k) for k in EDITABLE_FIELDS}
    with transaction.atomic():
        _require_community(actor, community)
        errors = household_rules(data)
        if "address" not in errors and _address_taken(community, data["address"]):
            errors["address"] = [ADDRESS_TAKEN]
        _raise(errors)
        household = Household(
            community=community,
            created_by=acting_user(actor),
            updated_by=acting_user(actor),
            head_initials=initials_index(data["head_name"]),
            **data,
        )
        household.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=household,
            org_path=community.path,
            after=snapshot(household),
        )
    return household


def household_update(
    *, actor, household: Household, data: dict[str, Any], community=None
) -> Household:
    """Change a household's fields (or move it to another community of the scope); fields
    absent from `data` keep their value."""
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        require_in_scope(actor, household.community.path, target=household)
        if community is not None and community.pk != household.community_id:
            _require_community(actor, community)
            household.community = community
        before = snapshot(household)
        merged = {k: data.get(k, getattr(household, k)) for k in EDITABLE_FIELDS}
        errors = household_rules(merged)
        if "address" not in errors and _address_taken(
            household.community, merged["address"], exclude_pk=household.pk
        ):
            errors["address"] = [ADDRESS_TAKEN]
        _raise(errors)
        for key, value in merged.items():
            setattr(household, key, value)
        household.head_initials = initials_index(household.head_name)
        old, new = changed_fields(before, snapshot(household))
        if new:
            household.updated_by = acting_user(actor)
            household.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=household,
                org_path=household.community.path,
                before=old,
                after=new,
            )
    return household


def household_bulk_insert(*, actor, rows: list[tuple[Any, dict[str, Any]]]) -> list[Household]:
    """Insert checked (community, data) rows at once (the import of 27,000 households): one
    INSERT per CHUNK rows and one audit row per household. The caller has run
    `household_rules` and the scope checks on every row, inside its transaction."""
    user = acting_user(actor)
    households = [
        Household(
            community=community,
            created_by=user,
            updated_by=user,
            head_initials=initials_index(data["head_name"]),
            # A field left out (or None) takes the model's empty value.
            **{k: data[k] for k in EDITABLE_FIELDS if data.get(k) is not None},
        )
        for community, data in rows
    ]
    Household.objects.bulk_create(households, batch_size=CHUNK)
    audit_bulk_record(
        actor=actor,
        action=AuditAction.CREATE,
        items=[(h, h.community.path, {"address": h.address, "导入": True}) for h in households],
    )
    return households


# --- links ----------------------------------------------------------------------------------


def _current_loads(member_ids: list[int]) -> dict[int, int]:
    """Households currently linked to each member: one grouped query."""
    loads = dict.fromkeys(member_ids, 0)
    for start in range(0, len(member_ids), CHUNK):
        rows = (
            HouseholdLink.objects.filter(
                member_id__in=member_ids[start : start + CHUNK], ended_on__isnull=True
            )
            .values("member_id")
            .annotate(n=Count("id"))
        )
        loads.update({r["member_id"]: r["n"] for r in rows})
    return loads


def _require_member(actor, member: Member) -> None:
    require_in_scope(actor, member.organization.path, target=member)
    if not is_county_unit_member(member):
        raise LinkRefused(NOT_COUNTY_UNIT.format(name=member.name))


def _end_current(*, actor, household: Household, on: datetime.date, reason: str):
    link = HouseholdLink.objects.filter(household=household, ended_on__isnull=True).first()
    if link is None:
        return None
    link.ended_on = max(on, link.started_on)
    link.end_reason = reason[:200]
    link.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=link,
        org_path=household.community.path,
        after={"ended_on": link.ended_on.isoformat(), "end_reason": link.end_reason},
        message=f"结束联户：{link.member}",
    )
    return link


def household_link(
    *, actor, household: Household, member: Member, on: datetime.date | None = None
) -> HouseholdLink:
    """Link a household to a member of a county unit (联户), ending its current link if any
    (the history keeps it). The actor needs both in scope: the household's community and the
    member's unit (the county organization staff assign across both). A member holds at most
    ZUZHI_HOUSEHOLD_LINK_CAP households at once."""
    on = on or timezone.localdate()
    with transaction.atomic():
        # The member's row is locked so that two links at once cannot pass the cap together.
        member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
        household = (
            Household.objects.select_for_update().select_related("community").get(pk=household.pk)
        )
        require_in_scope(actor, household.community.path, target=household)
        _require_member(actor, member)
        if household.member_id == member.pk:
            raise LinkRefused(f"该住户已由{member.name}联系。")
        cap = link_cap()
        load = _current_loads([member.pk])[member.pk]
        if load >= cap:
            raise LinkRefused(
                f"每名党员最多联系 {cap} 户，{member.name}已联系 {load} 户，请选择其他党员。"
            )
        _end_current(actor=actor, household=household, on=on, reason=RELINK_REASON)
        link = HouseholdLink.objects.create(
            household=household, member=member, started_on=on, created_by=acting_user(actor)
        )
        household.member = member
        household.save(update_fields=["member", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=link,
            org_path=household.community.path,
            after={
                "household_id": household.pk,
                "member_id": member.pk,
                "started_on": on.isoformat(),
            },
            message=f"联户：{member.name} 联系 {household}",
        )
    return link


def household_unlink(
    *, actor, household: Household, reason: str, on: datetime.date | None = None
) -> HouseholdLink:
    """End a household's current link (解除联户); the household is unlinked until assigned."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"end_reason": ["请填写结束原因。"]})
    on = on or timezone.localdate()
    with transaction.atomic():
        household = (
            Household.objects.select_for_update().select_related("community").get(pk=household.pk)
        )
        require_in_scope(actor, household.community.path, target=household)
        link = _end_current(actor=actor, household=household, on=on, reason=reason)
        if link is None:
            raise LinkRefused("该住户当前没有联系党员。")
        household.member = None
        household.save(update_fields=["member", "updated_at"])
    return link


def _end_links_of(*, actor, household_ids: list[int], on: datetime.date) -> None:
    """End the current links of these households (reassigned in bulk), audited in bulk."""
    for start in range(0, len(household_ids), CHUNK):
        chunk = household_ids[start : start + CHUNK]
        ending = list(
            HouseholdLink.objects.filter(
                household_id__in=chunk, ended_on__isnull=True
            ).select_related("household__community", "member")
        )
        HouseholdLink.objects.filter(pk__in=[link.pk for link in ending]).update(
            ended_on=on, end_reason=BULK_REASON
        )
        audit_bulk_record(
            actor=actor,
            action=AuditAction.UPDATE,
            items=[
                (
                    link,
                    link.household.community.path,
                    {"ended_on": on.isoformat(), "end_reason": BULK_REASON},
                )
                for link in ending
            ],
        )


def _follow_current_links(household_ids: list[int]) -> None:
    """Household.member set from each household's current link: one UPDATE per CHUNK
    households (bulk_update's CASE per row costs seconds at 27,000)."""
    current = HouseholdLink.objects.filter(household_id=OuterRef("pk"), ended_on__isnull=True)
    now = timezone.now()
    for start in range(0, len(household_ids), CHUNK):
        Household.objects.filter(pk__in=household_ids[start : start + CHUNK]).update(
            member_id=Subquery(current.values("member_id")[:1]), updated_at=now
        )


def _lock_candidates(households) -> list[Household]:
    """The households of the queryset that need a member (unlinked or 待重新联系), locked so
    that two assignments at once cannot link one household twice, in address order."""
    needs = Q(member__isnull=True) | ~county_unit_member_q("member__")
    ids = list(households.filter(needs).order_by().values_list("pk", flat=True).distinct())
    found: list[Household] = []
    for start in range(0, len(ids), CHUNK):
        found += (
            Household.objects.select_for_update(of=("self",))
            .select_related("community")
            .filter(needs, pk__in=ids[start : start + CHUNK])
        )
    return sorted(found, key=lambda h: (h.community.path, h.grid, h.address, h.pk))


@dataclass
class BulkAssignment:
    """What a bulk assignment did: households linked, left without a member (every member at
    the cap), and the load of each member after it."""

    linked: int
    left: int
    loads: dict[int, int]


def household_links_bulk_assign(
    *, actor, households, members: list[Member], on: datetime.date | None = None
) -> BulkAssignment:
    """Assign the unlinked households of `households` (a queryset: a community, a grid) to
    `members`, each household to the least-loaded member (ties in the given order) until every
    member reaches the cap (批量分配). Households whose member no longer qualifies
    (待重新联系) are reassigned too, their old link ended. One transaction; bulk writes and
    one audit row per new link."""
    on = on or timezone.localdate()
    cap = link_cap()
    with transaction.atomic():
        member_ids = list(dict.fromkeys(m.pk for m in members))
        locked = list(
            Member.objects.select_for_update()
            .select_related("organization")
            .filter(pk__in=member_ids)
            .order_by("pk")
        )
        by_id = {m.pk: m for m in locked}
        for member in locked:
            _require_member(actor, member)
        candidates = _lock_candidates(households)
        for path in {h.community.path for h in candidates}:
            require_in_scope(actor, path)
        loads = _current_loads(member_ids)
        heap = [(loads[pk], order, pk) for order, pk in enumerate(member_ids) if pk in by_id]
        heapq.heapify(heap)
        assigned: list[tuple[Household, int]] = []
        for household in candidates:
            if not heap or heap[0][0] >= cap:
                break
            load, order, pk = heapq.heappop(heap)
            assigned.append((household, pk))
            heapq.heappush(heap, (load + 1, order, pk))
        _end_links_of(actor=actor, household_ids=[h.pk for h, _ in assigned if h.member_id], on=on)
        user = acting_user(actor)
        links = [
            HouseholdLink(household=h, member=by_id[pk], started_on=on, created_by=user)
            for h, pk in assigned
        ]
        HouseholdLink.objects.bulk_create(links, batch_size=CHUNK)
        _follow_current_links([h.pk for h, _ in assigned])
        audit_bulk_record(
            actor=actor,
            action=AuditAction.CREATE,
            items=[
                (
                    link,
                    household.community.path,
                    {"household_id": household.pk, "member_id": pk, "started_on": on.isoformat()},
                )
                for link, (household, pk) in zip(links, assigned, strict=True)
            ],
        )
        final = {pk: load for load, _, pk in heap}
    return BulkAssignment(linked=len(assigned), left=len(candidates) - len(assigned), loads=final)
