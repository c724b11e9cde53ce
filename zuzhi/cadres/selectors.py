"""Reads of the cadre registry, always through `Cadre.objects.visible_to` (models/scoping)."""

import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zuzhi.core import idnumber
from zuzhi.core.audit import audit_record
from zuzhi.core.models import AuditAction
from zuzhi.core.personal import may_see_personal, personal_view
from zuzhi.core.scope import deny, subtree_q
from zuzhi.core.text import initials_q
from zuzhi.members.selectors import AGE_BAND_KEYS, age_band_q
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import PickerMode, org_picker_queryset

from .models import Cadre, LrmxImport

CADRE_SORTS = {
    "org": ("organization__path", "name_initials", "name", "pk"),
    "name": ("name_initials", "name", "pk"),
    "birth_date": ("birth_date", "pk"),
    "-birth_date": ("-birth_date", "-pk"),
}


def cadre_get(*, user, pk) -> Cadre:
    """A cadre the user may see, or the logged 404."""
    return Cadre.objects.select_related("organization", "member").get_visible_or_404(user, pk=pk)


def cadre_list(
    *,
    user,
    q: str = "",
    within: Organization | None = None,
    rank: str = "",
    leadership_level: str = "",
    education: str = "",
    gender: str = "",
    age_band: str = "",
    active: bool | None = True,
    sort: str = "org",
    ids: list[int] | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Cadre]:
    """The cadres the user may see, filtered: `q` is a name, its initials or a full ID
    number; `education` a ZB64 code or its first digit (2 = 本科); `age_band` a key of the
    member statistics' bands. Every filter is a database condition."""
    # The photo and the imported file stay in the database until a page asks for them.
    qs = (
        Cadre.objects.visible_to(user)
        .select_related("organization")
        .defer("photo", "lrmx_source")
        .annotate(has_photo=ExpressionWrapper(~Q(photo=b""), output_field=BooleanField()))
    )
    if within is not None:
        qs = qs.filter(subtree_q(within.path, "organization__path"))
    q = q.strip()
    if q:
        normalized = idnumber.normalize(q)
        if normalized.isdigit() or (normalized[:-1].isdigit() and normalized.endswith("X")):
            # Numbers are encrypted: found through the blind index, by the full number only.
            qs = qs.filter(id_number=normalized)
        else:
            qs = qs.filter(Q(name__contains=q) | initials_q("name_initials", q))
    if rank:
        qs = qs.filter(rank=rank)
    if leadership_level:
        qs = qs.filter(leadership_level=leadership_level)
    if education:
        qs = qs.filter(education__startswith=education)
    if gender:
        qs = qs.filter(gender=gender)
    if age_band in AGE_BAND_KEYS:
        today = today or timezone.localdate()
        qs = qs.filter(age_band_q(AGE_BAND_KEYS[age_band], today=today))
    if active is not None:
        qs = qs.filter(is_active=active)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.order_by(*CADRE_SORTS.get(sort, CADRE_SORTS["org"]))


def cadre_record(*, user, pk) -> Cadre:
    """A cadre's full record for reading (干部信息查阅): every such read is audited; the ID
    number and phone are revealed only to roles that may see them (the cadre section by
    default; a cadre reading their own record sees them masked like anyone else)."""
    cadre = cadre_get(user=user, pk=pk)
    personal_view(user=user, objects=[cadre], where="干部信息")
    if not may_see_personal(user):
        audit_record(
            actor=user,
            action=AuditAction.VIEW_PERSONAL,
            target=cadre,
            org_path=cadre.organization.path,
            message="查阅干部信息（个人信息已脱敏）",
        )
    return cadre


def cadre_age(cadre: Cadre, *, on: datetime.date | None = None) -> int | None:
    """Whole years of age on `on` (today in Asia/Shanghai by default); never stored."""
    if cadre.birth_date is None:
        return None
    on = on or timezone.localdate()
    born = cadre.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def lrmx_import_get(*, user, pk) -> LrmxImport:
    return LrmxImport.objects.select_related("organization").get_visible_or_404(user, pk=pk)


def cadre_unit(*, user, pk) -> Organization:
    """A unit (its Party organization) in the user's cadre section, or the logged 404."""
    qs = org_picker_queryset(user=user, mode=PickerMode.CADRES)
    try:
        return qs.get(pk=pk)
    except Organization.DoesNotExist as exc:
        existing = Organization.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing) from exc
        raise Http404("未找到该对象。") from exc
