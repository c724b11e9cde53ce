"""The personal-data policy (个人信息保护): which fields are personal data, who sees them
unmasked, and the audit row of every unmasked view. Pages, API answers, exports and history
views all show personal data through `personal_view`; none masks or audits on its own.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .audit import audit_record
from .fields import sealed_masked
from .masking import mask_bank_account, mask_id_number, mask_phone
from .models import AuditAction, AuditLog
from .roles import Role
from .scope import PATH_STEP, can_view_personal_data, has_role


@dataclass(frozen=True)
class PersonalField:
    label: str
    mask: Callable[[str | None], str]


@dataclass(frozen=True)
class PersonalModel:
    fields: dict[str, PersonalField]
    # Attribute chain from an object to its organization's path: the audit row of an unmasked
    # view is scoped like the data it showed.
    org_path: str


def _id_number(label: str = "公民身份号码") -> PersonalField:
    return PersonalField(label, mask_id_number)


def _phone(label: str = "联系电话") -> PersonalField:
    return PersonalField(label, mask_phone)


# Every field holding personal data, per model (by app label, so that core imports no domain
# app). A new model with an ID number or a phone is declared here; a test walks every model
# and fails on a field that looks personal and is not.
PERSONAL_MODELS: dict[str, PersonalModel] = {
    "members.member": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="organization.path"
    ),
    "recruitment.candidate": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="organization.path"
    ),
    "orgs.organization": PersonalModel({"secretary_phone": _phone("书记电话")}, org_path="path"),
    "joint_reviews.reviewitem": PersonalModel({"id_number": _id_number()}, org_path="village.path"),
    "cadres.cadre": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="organization.path"
    ),
    "reserves.reservecandidate": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="village.path"
    ),
    "reserves.returningtalent": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="home_village.path"
    ),
    "reserve_use.villagecommitteemember": PersonalModel(
        {"id_number": _id_number()}, org_path="village.path"
    ),
    "tickets.ticket": PersonalModel(
        {"contact_phone": _phone()}, org_path="household.community.path"
    ),
    "talent.talent": PersonalModel(
        {"id_number": _id_number(), "phone": _phone()}, org_path="county.path"
    ),
    "subsidies.subsidyapplication": PersonalModel(
        {"bank_account": PersonalField("银行账号", mask_bank_account)},
        org_path="talent.county.path",
    ),
    "subsidies.subsidyline": PersonalModel(
        {
            "payee_id_number": _id_number("收款人公民身份号码"),
            "bank_account": PersonalField("银行账号", mask_bank_account),
        },
        org_path="run.policy.county.path",
    ),
    "challenges.challengeapplication": PersonalModel(
        {"contact_phone": _phone()}, org_path="challenge.county.path"
    ),
    "households.household": PersonalModel(
        {"head_id_number": _id_number("户主公民身份号码"), "phone": _phone()},
        org_path="community.path",
    ),
}

# Audit snapshots (before/after) are masked by key, whatever model they describe.
_SNAPSHOT_FIELDS: dict[str, PersonalField] = {
    key: field for spec in PERSONAL_MODELS.values() for key, field in spec.fields.items()
}

# An unmasked view names at most this many objects in its audit row; beyond, it gives the count.
AUDIT_MAX_IDS = 200


def may_see_personal(user) -> bool:
    """Whether the user's role may see personal data unmasked (settings.ZUZHI_UNMASKED_ROLES)."""
    return can_view_personal_data(user)


# Roles that may reveal one member's phone to call them (一键拨号), though they see personal
# data masked otherwise: the people who ring members about meetings and dues.
PHONE_REVEAL_ROLES = (Role.BRANCH_SECRETARY, Role.TOWNSHIP_STAFF)


def may_reveal_phone(user) -> bool:
    """Whether the user may reveal a phone number, one object at a time (roles that see
    personal data unmasked may too: they see it on the detail page already)."""
    return may_see_personal(user) or has_role(user, *PHONE_REVEAL_ROLES)


def personal_phone_reveal(*, user, obj, field: str = "phone", where: str) -> str:
    """The full phone number of one object, for a user whose role may reveal it; the look is
    audited like any unmasked view (who, which object, when, where). The caller has found
    `obj` through the user's scope. Other roles are refused (PermissionDenied)."""
    spec = PERSONAL_MODELS[obj._meta.label_lower].fields[field]
    if spec.mask is not mask_phone:
        raise ValueError(f"{field} is not a phone number")
    if not may_reveal_phone(user):
        raise PermissionDenied("您的角色不能查看完整电话号码。")
    value = getattr(obj, field)
    seen = _Seen()
    seen.add(obj, [spec.label] if value else [])
    seen.audit(user=user, where=where)
    return value


def personal_view(*, user, objects, where: str, reveal: bool = True):
    """Prepare `objects` for showing to `user`: the personal fields the user's role may see
    are revealed, the others masked (in place: the objects are for showing, never saved).

    `reveal=False` masks for every role (lists on pages; a detail page reveals on request).
    The unmasked view is written to the audit log as one row: who (actor, IP, request id),
    which objects, which fields, and `where` (the page or endpoint). Audit log rows are taken
    too: the personal values in their before/after snapshots are treated alike.

    A list or tuple is handled at once and returned. Any other iterable (an export's rows,
    streamed) is returned as an iterator, masked as it is read, and audited when it ends.
    """
    unmask = reveal and may_see_personal(user)
    if isinstance(objects, list | tuple):
        seen = _Seen()
        for obj in objects:
            seen.add(obj, _apply(obj, unmask))
        seen.audit(user=user, where=where)
        return objects
    return _stream(user=user, objects=objects, where=where, unmask=unmask)


def personal_document(*, user, objects: list, where: str) -> list:
    """Reveal `objects`' personal values for an official document that carries them in full
    whatever the reader's role (组织关系介绍信: the receiving side checks the ID number against
    the card). Printing it is an unmasked view, audited like one."""
    seen = _Seen()
    for obj in objects:
        seen.add(obj, _apply(obj, True))
    seen.audit(user=user, where=where)
    return objects


def _stream(*, user, objects: Iterable, where: str, unmask: bool) -> Iterator:
    seen = _Seen()
    try:
        for obj in objects:
            seen.add(obj, _apply(obj, unmask))
            yield obj
    finally:
        # Also when the reader stops early: whatever was read may have been shown.
        seen.audit(user=user, where=where)


class _Seen:
    """The objects shown unmasked (the first AUDIT_MAX_IDS of them), their count, the labels
    of the fields shown, and the deepest organization holding them all."""

    def __init__(self):
        self.objects, self.count, self.labels, self.org_path = [], 0, {}, None

    def add(self, obj, labels: list[str]) -> None:
        if not labels:
            return
        self.count += 1
        if len(self.objects) < AUDIT_MAX_IDS:
            self.objects.append(obj)
        self.labels.update(dict.fromkeys(labels))
        path = _org_path(obj)
        self.org_path = path if self.org_path is None else _common_path(self.org_path, path)

    def audit(self, *, user, where: str) -> None:
        if not self.count:
            return
        message = f"查看未脱敏字段：{'、'.join(self.labels)}（{where}）"
        first = self.objects[0]
        history_of = {(o.target_type, o.target_id) for o in self.objects if isinstance(o, AuditLog)}
        if len(history_of) == 1 and len(self.objects) == self.count:
            # A history view: the row names the object whose history was read.
            target = {
                "target_type": first.target_type,
                "target_id": first.target_id,
                "target_repr": first.target_repr,
            }
        elif self.count == 1:
            target = {"target": first}
        else:
            target = {"target_type": first._meta.label_lower, "target_repr": f"{self.count} 条"}
        if self.count > 1:
            ids = "、".join(str(obj.pk) for obj in self.objects)
            more = (
                f"共 {self.count} 条，前 {AUDIT_MAX_IDS} 条" if self.count > AUDIT_MAX_IDS else ""
            )
            message += f"；{more}编号 {ids}"
        audit_record(
            actor=user,
            action=AuditAction.VIEW_PERSONAL,
            org_path=self.org_path,
            message=message,
            **target,
        )


def _apply(obj, unmask: bool) -> list[str]:
    """Mask the object's personal values unless `unmask`; the labels of those shown unmasked."""
    if isinstance(obj, AuditLog):
        shown = []
        for side in ("before", "after"):
            data = getattr(obj, side)
            if isinstance(data, dict):
                setattr(obj, side, _snapshot(data, unmask, shown))
        return list(dict.fromkeys(shown))
    spec = PERSONAL_MODELS[obj._meta.label_lower]
    shown = []
    for name, field in spec.fields.items():
        if not unmask and (masked := sealed_masked(obj, name)) is not None:
            # An encrypted value is masked from its masked copy: never decrypted.
            setattr(obj, name, masked)
            continue
        value = getattr(obj, name)
        if not value:
            continue
        if unmask:
            shown.append(field.label)
        else:
            setattr(obj, name, field.mask(value))
    return shown


def _snapshot(data: dict, unmask: bool, shown: list[str]) -> dict:
    result = dict(data)
    for key, value in data.items():
        field = _SNAPSHOT_FIELDS.get(key)
        # An encrypted field is logged as its masked copy: showing it reveals nothing.
        if field is None or not value or not isinstance(value, str) or "*" in value:
            continue
        if unmask:
            shown.append(field.label)
        else:
            result[key] = field.mask(value)
    return result


def _org_path(obj) -> str:
    if isinstance(obj, AuditLog):
        return obj.org_path
    value = obj
    for attr in PERSONAL_MODELS[obj._meta.label_lower].org_path.split("."):
        value = getattr(value, attr)
    return value or ""


def _common_path(a: str, b: str) -> str:
    """The deepest organization containing both paths ("" if either has none)."""
    if not a or not b:
        return ""
    common = a if len(a) <= len(b) else b
    other = b if common is a else a
    while common and not other.startswith(common):
        common = common[:-PATH_STEP]
    return common


def personal_form_masked(form) -> dict[str, str]:
    """Show an edit form's personal values masked, to every role: an unmasked look is a view
    to audit, which only the detail page does. Returns {field: mask} for
    `personal_form_unchanged`: sent back unchanged, the mask keeps the stored value; another
    value replaces it; an empty field clears it."""
    spec = PERSONAL_MODELS[form.instance._meta.label_lower]
    masks = {}
    for name, field in spec.fields.items():
        masked = sealed_masked(form.instance, name)
        value = masked if masked is not None else getattr(form.instance, name)
        if name in form.fields and value:
            masks[name] = masked if masked is not None else field.mask(value)
            form.initial[name] = masks[name]
            form.fields[name].help_text = "已脱敏显示；不修改则保留原值。"
    return masks


def personal_form_unchanged(data: dict, masks: dict[str, str]) -> dict:
    """The form's data without the personal fields sent back as their mask."""
    return {key: value for key, value in data.items() if not (key in masks and value == masks[key])}


def personal_masked(obj, name: str, value):
    """A stored value of `obj`'s field `name`, masked if the field is personal data: for a
    page that shows stored values without offering an unmasked view (an import's preview of
    the changes it will make)."""
    spec = PERSONAL_MODELS.get(obj._meta.label_lower)
    field = spec.fields.get(name) if spec else None
    return field.mask(value) if field and value else value
