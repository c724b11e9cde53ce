"""Showing audit rows (审计日志) to people: each row's before/after as labelled pairs.

Snapshots hold stored values (`01`, `full`, an organization's id, `transfer_id`); every history
page and the audit export show them through `audit_entries`, which reads the labels from the
target model itself: a field's verbose_name, its choices, the official code table of a coded
field, foreign keys resolved to names (one query per related model for a whole page), dates
as dates and booleans as 是/否. A key with no Chinese label is bookkeeping and is not shown.
Rows are masked by `core.personal.personal_view` before they come here.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .codes import code_map
from .models import AuditLog
from .roles import Role
from .scope import is_audit_admin

EMPTY = "—"

# Fields holding an official code (代码表, DmGrp.xml), by field name: the same name means the
# same table in every model (members, candidates, and those to come).
CODE_FIELDS = {"gender": "GB22611", "ethnicity": "GB3304", "education": "ZB64"}

# Object types whose model has no Chinese verbose_name yet (the term of its docstring).
# A test walks every model and fails on one missing here and in its Meta.
TYPE_LABELS = {
    "core.codeitem": "代码表条目",
    "core.importjob": "导入任务",
    "accounts.roleassignment": "角色授权",
    "accounts.passwordhistory": "历史密码",
    "accounts.rolegrant": "角色授权申请",
    "accounts.loginattempt": "登录记录",
    "accounts.apitoken": "接口令牌",
    "orgs.rectificationcase": "软弱涣散党组织整顿",
    "orgs.rectificationstep": "整顿进展",
    "members.membertransfer": "组织关系转接",
    "members.mobilerecord": "流动党员",
    "members.membercase": "失联及口袋党员",
    "dues.duesbasis": "党费基数",
    "dues.duespayment": "党费收缴",
    "dues.duesexemption": "党费减免",
    "orglife.meeting": "组织生活",
    "orglife.meetingabsence": "缺席记录",
    "orglife.meetingattachment": "会议附件",
    "recruitment.candidate": "发展党员",
    "appraisal.appraisalround": "民主评议党员",
    "appraisal.appraisalsubject": "评议对象",
    "appraisal.ballotcode": "选票码",
    "appraisal.ballot": "无记名选票",
    "points.pointrule": "积分规则",
    "points.pointentry": "积分登记",
    "contests.contest": "考评竞赛",
    "contests.stage": "计分环节",
    "contests.criterion": "评分标准",
    "contests.ratergroup": "测评主体",
    "contests.indicator": "指标",
    "contests.entrant": "参评对象",
    "contests.indicatorvalue": "指标数据",
    "contests.directscore": "整体评分",
    "contests.adjustment": "加减分项",
    "contests.judgeseat": "评委席位",
    "contests.appearance": "出场",
    "contests.scoresheet": "评分表",
    "contests.scorecorrection": "更正评分",
    "contests.resultversion": "考评结果",
    "contests.resultrow": "考评结果明细",
    "contests.supervisioncase": "督办",
    "contests.votecode": "短信验证码",
    "contests.vote": "群众投票",
    "contests.votequota": "投票限额",
    "ratings.star": "星",
    "ratings.starquota": "星级名额",
}

# Keys that name another object the change was about: the row's other keys are read as that
# object's fields first (a transfer's `status` is the transfer's, not the member's).
CONTEXT_KEYS = {"transfer_id": "members.membertransfer", "grant": "accounts.rolegrant"}

# Short labels for snapshot keys that are not model fields, or fields without a label.
KEY_LABELS = {
    "status": "状态",
    "roles": "角色",
    "pending_grant": "待审批的角色授权",
    "pending_grants": "待重新审批的角色",
    "courses": "课程",
}

OUT_OF_SCOPE = "权限范围以外的组织"
ORGANIZATION = "orgs.organization"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Change(NamedTuple):
    label: str
    before: str
    after: str


class Entry(NamedTuple):
    """One audit row as shown: its changes, and whether it has a "before" (a creation is
    shown as the values it was created with)."""

    row: AuditLog
    changes: list[Change]
    has_before: bool

    @property
    def type_label(self) -> str:
        return type_label(self.row.target_type)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def type_label(target_type: str) -> str:
    """An object type in Chinese (对象类型): the model's verbose_name."""
    if target_type in TYPE_LABELS:
        return TYPE_LABELS[target_type]
    model = _model(target_type)
    name = str(model._meta.verbose_name) if model else ""
    return name if _CHINESE.search(name) else target_type


def type_choices() -> list[tuple[str, str]]:
    """Every object type of the project, for the audit log's filter, in Chinese order."""
    labels = {
        m._meta.label_lower: type_label(m._meta.label_lower)
        for m in apps.get_models()
        if m.__module__.startswith("zuzhi.")
    }
    return sorted(labels.items(), key=lambda item: item[1])


def _fields(model) -> dict[str, models.Field]:
    """A model's concrete fields by snapshot key (attname: `organization_id`) and by name."""
    if model is None:
        return {}
    fields = {}
    for f in model._meta.concrete_fields:
        fields[f.name] = f
        fields[f.attname] = f
    return fields


def _field_label(field: models.Field | None, key: str) -> str | None:
    if field is not None:
        if field.primary_key or not field.editable:
            return None
        if _CHINESE.search(str(field.verbose_name)):
            return str(field.verbose_name)
    return KEY_LABELS.get(key)


def _pk(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _roles(value) -> list[tuple[str, str]]:
    """Role snapshots (`township_staff@001002`) as (role, organization code) pairs."""
    if not isinstance(value, list):
        return []
    pairs = []
    for item in value:
        if isinstance(item, str):
            role, _, code = item.partition("@")
            pairs.append((role, "" if code == "-" else code))
    return pairs


class _Names:
    """The names a page of rows needs, read at once: one query per related model."""

    def __init__(self, user, known: dict[tuple[str, Any], str] | None):
        self.user = user
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.org_codes: set[str] = set()
        self.names: dict[tuple[str, Any], str] = dict(known or {})
        self.code_names: dict[str, str] = {}

    def want(self, label: str, value) -> None:
        pk = _pk(value)
        if pk is not None and (label, pk) not in self.names:
            self.wanted[label].add(pk)

    def load(self) -> None:
        orgs = self.wanted.pop(ORGANIZATION, set())
        if orgs or self.org_codes:
            qs = self._readable(apps.get_model(ORGANIZATION)).filter(
                Q(pk__in=orgs) | Q(code__in=self.org_codes)
            )
            for pk, code, name in qs.values_list("pk", "code", "name"):
                self.names[(ORGANIZATION, pk)] = name
                self.code_names[code] = name
        for label, pks in self.wanted.items():
            model = apps.get_model(label)
            for obj in self._objects(model, pks):
                self.names[(label, obj.pk)] = _describe(obj)

    def _readable(self, model):
        # Names of scoped objects are read within the viewer's scope; the audit
        # administrator reads the whole log and so every name in it.
        if getattr(model, "scope_path_field", None) and not is_audit_admin(self.user):
            return model.objects.visible_to(self.user)
        return model._default_manager.all()

    def _objects(self, model, pks: set[int]):
        related = [
            f.name for f in model._meta.concrete_fields if f.many_to_one and not f.primary_key
        ]
        return self._readable(model).filter(pk__in=pks).select_related(*related)

    def get(self, label: str, value) -> str:
        pk = _pk(value)
        if pk is None:
            return str(value)
        name = self.names.get((label, pk))
        if name is not None:
            return name
        return OUT_OF_SCOPE if label == ORGANIZATION else f"权限范围以外的{type_label(label)}"

    def role(self, role: str, code: str) -> str:
        where = self.code_names.get(code, OUT_OF_SCOPE) if code else ""
        name = Role(role).label if role in Role.values else role
        return f"{name}（{where}）" if where else name


def _describe(obj) -> str:
    """An object named in a change: its name, or what it is about."""
    user_model = get_user_model()
    if isinstance(obj, user_model):
        return f"{obj.full_name}（{obj.username}）" if obj.full_name else obj.username
    label = obj._meta.label_lower
    if label == "accounts.rolegrant":
        return f"{obj.get_role_display()}（{obj.organization.name}）"
    if label == "members.membertransfer":
        return f"{obj.from_org.name} → {obj.to_org.name}（{obj.transfer_date:%Y-%m-%d}）"
    return str(obj)


class _Key(NamedTuple):
    label: str
    field: models.Field | None
    context: str | None  # the model label a context key names


def _keys(row: AuditLog) -> list[tuple[str, _Key]]:
    """The row's shown keys, in snapshot order, each with its label and field."""
    before, after = row.before or {}, row.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    target = _fields(_model(row.target_type))
    contexts = [CONTEXT_KEYS[k] for k in (*before, *after) if k in CONTEXT_KEYS]
    context = _fields(_model(contexts[0])) if contexts else {}
    keys = []
    for key in dict.fromkeys([*before, *after]):
        if key in CONTEXT_KEYS:
            keys.append((key, _Key(type_label(CONTEXT_KEYS[key]), None, CONTEXT_KEYS[key])))
            continue
        field = context.get(key) or target.get(key)
        label = _field_label(field, key)
        if label:
            keys.append((key, _Key(label, field, None)))
    return keys


def _date(value: str, with_time: bool) -> str:
    try:
        if with_time:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment:%Y-%m-%d %H:%M}"
        return f"{datetime.date.fromisoformat(value[:10]):%Y-%m-%d}"
    except ValueError:
        return value


def _value(key: str, spec: _Key, side: dict, names: _Names) -> str:
    value = side.get(key)
    if value is None or value == "" or value == []:
        return EMPTY
    if spec.context:
        return names.get(spec.context, value)
    if key == "roles" or key == "pending_grants":
        pairs = _roles(value) if key == "roles" else [(r, "") for r in value]
        return "；".join(names.role(r, c) for r, c in pairs) or EMPTY
    if key == "pending_grant" and isinstance(value, dict):
        return names.role(value.get("role", ""), value.get("organization", ""))
    if isinstance(value, bool):
        return "是" if value else "否"
    field = spec.field
    if field is not None:
        if field.many_to_one:
            return names.get(field.related_model._meta.label_lower, value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.name in CODE_FIELDS:
            return code_map(CODE_FIELDS[field.name]).get(value, value)
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            return _date(value, with_time=True)
        if isinstance(field, models.DateField) and isinstance(value, str):
            # A date known only to the month (`1985.03`) is shown as members' pages show it.
            if side.get(f"{key}_month_only") is True:
                return _date(value, with_time=False)[:7].replace("-", ".")
            return _date(value, with_time=False)
    if isinstance(value, list | dict):
        return "；".join(str(v) for v in (value.values() if isinstance(value, dict) else value))
    return str(value)


def _want(key: str, spec: _Key, value, names: _Names) -> None:
    if spec.context:
        names.want(spec.context, value)
    elif key == "roles":
        names.org_codes.update(code for _, code in _roles(value) if code)
    elif key == "pending_grant" and isinstance(value, dict):
        names.org_codes.add(str(value.get("organization", "")))
    elif spec.field is not None and spec.field.many_to_one:
        names.want(spec.field.related_model._meta.label_lower, value)


def _role_changes(before, after, names: _Names) -> list[Change]:
    """What a change of roles gave and took: the role and the organization it is held on."""
    if before is None or after is None:
        return []
    old, new = _roles(before), _roles(after)
    changes = []
    given = [p for p in new if p not in old]
    if given:
        changes.append(Change("授予角色", EMPTY, "；".join(names.role(*p) for p in given)))
    taken = [p for p in old if p not in new]
    if taken:
        changes.append(Change("撤销角色", "；".join(names.role(*p) for p in taken), EMPTY))
    return changes


def audit_entries(
    *, user, rows: Iterable[AuditLog], known: dict[tuple[str, Any], str] | None = None
) -> list[Entry]:
    """The rows (already masked for `user`) with their changes as labelled pairs. Foreign
    keys name objects within the user's scope (any, for the audit administrator) or in
    `known` ({(model label, pk): name}, what the page shows anyway); others are said to be
    out of scope, never named."""
    rows = list(rows)
    names = _Names(user, known)
    keyed = []
    for row in rows:
        keys = _keys(row)
        before, after = row.before or {}, row.after or {}
        for key, spec in keys:
            for side in (before, after):
                if key in side:
                    _want(key, spec, side[key], names)
        keyed.append((row, keys, before, after))
    names.load()
    entries = []
    for row, keys, before, after in keyed:
        changes = []
        for key, spec in keys:
            changes.append(
                Change(
                    spec.label,
                    _value(key, spec, before, names),
                    _value(key, spec, after, names),
                )
            )
            if key == "roles":
                changes.extend(_role_changes(before.get(key), after.get(key), names))
        entries.append(Entry(row, changes, bool(before)))
    return entries


def entry_text(changes: list[Change], side: str) -> str:
    """One side of an entry's changes as text lines (`民族：汉族`), for the export."""
    return "\n".join(f"{c.label}：{getattr(c, side)}" for c in changes)
