"""The organization picker (选择党组织): type a name, a short name or pinyin initials, choose
from a short list. One template partial (orgs/_org_picker.html) used by a form field here or
included by a template; the list and the choice come from `views.org_picker_view` (htmx),
so it works without a script of its own (page.js only adds Enter and the arrow keys).
The form field's value stays an organization id, checked against the picker's reach."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.template.loader import render_to_string

from zuzhi.core.params import object_id, text_param

from . import selectors
from .models import Organization, OrgType, UnitCategory
from .selectors import OrgChoice, PickerMode

# A field name or element id as a picker's URL carries it back: letters, digits, _ and -.
SAFE_NAME = re.compile(r"\A[A-Za-z][A-Za-z0-9_-]{0,63}\Z")


@dataclass
class OrgPicker:
    """One picker on a page: the field it fills (`name`, element ids from `id`) and its reach
    (`mode`, and the organization types and unit categories it offers)."""

    name: str
    id: str = ""
    mode: str = PickerMode.SCOPE
    org_types: tuple[str, ...] = ()
    unit_categories: tuple[str, ...] = ()
    choice: OrgChoice | None = None
    required: bool = True
    autofocus: bool = False
    placeholder: str = "输入名称、简称或拼音首字母"

    def __post_init__(self):
        self.id = self.id or f"id_{self.name}"

    @property
    def text_name(self) -> str:
        """The name of the text box: its own, so that a page's `q` is never taken for it."""
        return f"{self.name}_q"

    @property
    def query(self) -> str:
        """The picker's configuration as the search URL carries it."""
        return urlencode(
            {
                "name": self.name,
                "id": self.id,
                "mode": self.mode,
                "type": self.org_types,
                "unit": self.unit_categories,
                "optional": "" if self.required else "1",
            },
            doseq=True,
        )

    def filters(self) -> dict:
        return {"org_types": self.org_types, "unit_categories": self.unit_categories}

    def render(self) -> str:
        return render_to_string("orgs/_org_picker.html", {"p": self})

    @classmethod
    def from_params(cls, params) -> "OrgPicker":
        """A picker as its search URL describes it; a malformed description is not found."""
        name, id_ = text_param(params, "name"), text_param(params, "id")
        mode = text_param(params, "mode") or PickerMode.SCOPE
        types = params.getlist("type")
        units = params.getlist("unit")
        if (
            not SAFE_NAME.match(name)
            or not SAFE_NAME.match(id_)
            or mode not in set(PickerMode)
            or not set(types) <= set(OrgType.values)
            or not set(units) <= set(UnitCategory.values)
        ):
            raise Http404("未找到该对象。")
        return cls(
            name=name,
            id=id_,
            mode=PickerMode(mode),
            org_types=tuple(types),
            unit_categories=tuple(units),
            required=not params.get("optional"),
        )


def filter_picker(
    *, user, chosen: Organization | None, name: str = "org", mode: str = PickerMode.SCOPE
) -> OrgPicker:
    """A list page's organization filter (按组织筛选, the organization and everything under
    it): the picker within the user's scope (or `mode`'s reach), optional, showing the
    organization filtered by."""
    picker = OrgPicker(
        name=name, required=False, placeholder="全部（输入名称或拼音首字母）", mode=mode
    )
    if chosen is not None:
        picker.choice = selectors.org_choices(user=user, orgs=[chosen], mode=mode)[0]
    return picker


# A filter lists its organizations in a plain select up to this many (a county's villages),
# and offers the picker beyond (a province's 120,000 villages took seconds to list).
SELECT_LIMIT = 300


@dataclass
class OrgFilter:
    """A list page's filter by one organization of a kind (村（社区）, 乡镇), sent as `name`:
    `options` for a select, or `picker` when the user's reach holds more than SELECT_LIMIT."""

    name: str
    label: str
    chosen: Organization | None
    options: list[Organization]
    picker: OrgPicker | None = None
    required: bool = False


def org_filter(
    *,
    user,
    name: str,
    label: str,
    chosen: Organization | None,
    mode: str = PickerMode.SCOPE,
    unit_categories: tuple[str, ...] = (),
    required: bool = False,
) -> OrgFilter:
    """The filter over the active organizations of `unit_categories` in `mode`'s reach
    (`required`: a choice to make, no 全部). At most SELECT_LIMIT + 1 of them are read (by
    path, on its index), whatever the scope."""
    reach = selectors.org_picker_queryset(user=user, mode=mode, unit_categories=unit_categories)
    active = reach.filter(is_active=True).order_by("path").only("pk", "name", "path")
    options = list(active[: SELECT_LIMIT + 1])
    found = OrgFilter(name=name, label=label, chosen=chosen, options=options, required=required)
    if len(options) <= SELECT_LIMIT:
        return found
    found.options = []
    found.picker = OrgPicker(
        name=name,
        mode=mode,
        unit_categories=tuple(unit_categories),
        required=required,
        placeholder="输入名称或拼音首字母" if required else "全部（输入名称或拼音首字母）",
    )
    if chosen is not None:
        found.picker.choice = selectors.org_choices(user=user, orgs=[chosen], mode=mode)[0]
    return found


def org_choice_field(
    field: forms.ModelChoiceField,
    *,
    user,
    queryset,
    mode: str = PickerMode.SCOPE,
    unit_categories: tuple[str, ...] = (),
) -> forms.ModelChoiceField:
    """A form's choice of one of `queryset` (within `mode`'s reach, of `unit_categories`):
    `field`, a select, while it holds at most SELECT_LIMIT (counted up to the limit only);
    the picker, with `field`'s label and help, beyond."""
    if queryset.order_by()[: SELECT_LIMIT + 1].count() > SELECT_LIMIT:
        field = OrgPickerField(
            user=user,
            mode=mode,
            unit_categories=unit_categories,
            label=field.label,
            help_text=field.help_text,
            required=field.required,
        )
    field.queryset = queryset
    return field


class OrgPickerWidget(forms.Widget):
    """The picker as a form widget. The chosen organization is shown only if it is in the
    field's queryset (the user's reach), whatever id was posted."""

    def __init__(self, picker: OrgPicker | None = None, attrs=None):
        super().__init__(attrs)
        self.picker = picker or OrgPicker(name="")
        self.queryset = Organization.objects.none()
        self.user = None

    def id_for_label(self, id_):
        # The label names the text box the user types in, not the hidden id.
        return f"{id_}_q" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        picker = OrgPicker(**{**self.picker.__dict__, "name": name})
        picker.id = (attrs or {}).get("id") or f"id_{name}"
        picker.required = self.is_required
        pk = value.pk if isinstance(value, Organization) else value
        try:
            org = self.queryset.filter(pk=object_id(pk)).first() if pk not in (None, "") else None
        except Http404:
            org = None
        if org is not None:
            picker.choice = selectors.org_choices(user=self.user, orgs=[org], mode=picker.mode)[0]
        return picker.render()


class OrgPickerField(forms.ModelChoiceField):
    """An organization chosen with the picker; the value posted is its id, accepted only
    within the picker's reach for this user (anything else is "please choose"). A form may
    narrow the queryset further; the widget shows and accepts the same organizations."""

    default_error_messages = {
        "invalid_choice": "请从列表中选择党组织。",
        "required": "请选择党组织。",
    }

    def __init__(
        self, *, user, mode: str = PickerMode.SCOPE, org_types=(), unit_categories=(), **kwargs
    ):
        picker = OrgPicker(
            name="", mode=mode, org_types=tuple(org_types), unit_categories=tuple(unit_categories)
        )
        super().__init__(
            queryset=selectors.org_picker_queryset(user=user, mode=mode, **picker.filters()),
            widget=OrgPickerWidget(picker),
            **kwargs,
        )
        self.widget.user = user

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self._queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)
