"""Reads of self-nominations (自荐) and correction requests (更正申请), and who a cadre's
unit leader is.

A nomination is seen by three people only: the cadre (their own account), their unit's
leader, and the cadre section (`cadre_staff` over the cadre's organization). The unit's
leader (单位主要负责人) is, with the data the registry holds, the account of any cadre who
currently holds a chief post (a PostHolding with no end whose leadership level is a
`*_chief` one: 乡科级正职, 县处级正职…) on a leadership team of the nominee's organization —
the township's Party secretary and its head, a county unit's director. Everyone else gets the
logged 404, township and county staff included.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404

from zuzhi.core.codes import code_map
from zuzhi.core.roles import Role
from zuzhi.core.scope import deny, is_system, role_paths

from .models import (
    CORRECTABLE_FIELDS,
    Cadre,
    CorrectionRequest,
    CorrectionStatus,
    LeadershipLevel,
    NominationStatus,
    PostHolding,
    Rank,
    SelfNomination,
)
from .models.scoping import in_cadre_section
from .selectors import cadre_record
from .yearmonth import ym_display

OPEN_STATUSES = (NominationStatus.SUBMITTED, NominationStatus.UNIT_REVIEWED)


def _chief_holdings() -> QuerySet[PostHolding]:
    """Chief posts held now on a leadership team, by a cadre with an active account."""
    return PostHolding.objects.filter(
        end__isnull=True,
        leadership_level__endswith="_chief",
        team_post__isnull=False,
        cadre__user__is_active=True,
    )


def unit_leader_users(*, organization) -> QuerySet:
    """The accounts of the unit's leaders (see the module's docstring)."""
    holdings = _chief_holdings().filter(team_post__team__organization=organization)
    return get_user_model().objects.filter(pk__in=holdings.values("cadre__user"))


def organizations_led_by(*, user) -> QuerySet:
    """Ids of the organizations whose leadership team the user leads."""
    if not getattr(user, "is_authenticated", False):
        return PostHolding.objects.none().values("organization")
    return _chief_holdings().filter(cadre__user=user).values("team_post__team__organization")


def is_unit_leader(*, user, nomination: SelfNomination) -> bool:
    return unit_leader_users(organization=nomination.cadre.organization).filter(pk=user.pk).exists()


def unit_has_other_leader(*, nomination: SelfNomination) -> bool:
    """Whether someone other than the nominee can give the unit's opinion. A unit whose only
    leader is the nominee has nobody to ask: the cadre section then decides without it."""
    leaders = unit_leader_users(organization=nomination.cadre.organization)
    if nomination.cadre.user_id:
        leaders = leaders.exclude(pk=nomination.cadre.user_id)
    return leaders.exists()


def is_cadre_section_of(*, user, cadre: Cadre) -> bool:
    """Whether the user is the cadre section over the cadre's organization."""
    return in_cadre_section(user, cadre.organization.path)


def nomination_visible(*, user) -> QuerySet[SelfNomination]:
    """Every nomination the user may see: their own, their unit's, the cadre section's."""
    own_and_section = SelfNomination.objects.visible_to(user)
    if not getattr(user, "is_authenticated", False):
        return own_and_section
    led = SelfNomination.objects.filter(cadre__organization__in=organizations_led_by(user=user))
    return (own_and_section | led).select_related("cadre", "cadre__organization")


def nomination_get(*, user, pk: int) -> SelfNomination:
    """One nomination the user may see; the logged 404 for anyone else."""
    try:
        return nomination_visible(user=user).get(pk=pk)
    except SelfNomination.DoesNotExist as exc:
        existing = SelfNomination.objects.filter(pk=pk).first()
        if existing is not None:
            raise deny(user, target=existing, message="查看了无权查看的干部自荐") from exc
        raise Http404("未找到该对象。") from exc


def nominations_mine(*, user) -> QuerySet[SelfNomination]:
    if not getattr(user, "is_authenticated", False):
        return SelfNomination.objects.none()
    return SelfNomination.objects.filter(cadre__user=user).select_related("cadre")


def nominations_for_opinion(*, user) -> QuerySet[SelfNomination]:
    """Submitted nominations of the units the user leads, except the user's own."""
    if not getattr(user, "is_authenticated", False):
        return SelfNomination.objects.none()
    return (
        SelfNomination.objects.filter(
            status=NominationStatus.SUBMITTED,
            cadre__organization__in=organizations_led_by(user=user),
        )
        .exclude(cadre__user=user)
        .select_related("cadre", "cadre__organization")
        .order_by("submitted_at", "id")
    )


def nominations_to_decide(*, user) -> QuerySet[SelfNomination]:
    """Nominations the cadre section may decide now: those with the unit's opinion, and
    those of a unit with nobody but the nominee to give it."""
    roots = role_paths(user, Role.CADRE_STAFF)
    if not roots and not is_system(user):
        return SelfNomination.objects.none()
    other_leader = (
        _chief_holdings()
        .filter(team_post__team__organization=OuterRef("cadre__organization"))
        .exclude(cadre__user=OuterRef("cadre__user"))
    )
    qs = SelfNomination.objects.visible_to(user).filter(
        Q(status=NominationStatus.UNIT_REVIEWED)
        | Q(status=NominationStatus.SUBMITTED) & ~Exists(other_leader)
    )
    if getattr(user, "is_authenticated", False):
        qs = qs.exclude(cadre__user=user)
    return qs.select_related("cadre", "cadre__organization").order_by("submitted_at", "id")


# --- correction requests (更正申请) ----------------------------------------------------------


def my_cadre(*, user) -> Cadre | None:
    """The user's own cadre record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Cadre.objects.select_related("organization").filter(user=user).first()


def my_record(*, user) -> dict | None:
    """What a cadre's own account shows (我的干部信息): the record read-only, career,
    family, current and past posts, nominations and correction requests; None when the user
    has no cadre record."""
    cadre = my_cadre(user=user)
    if cadre is None:
        return None
    # Reading one's own full record is audited like any other reading of it.
    cadre = cadre_record(user=user, pk=cadre.pk)
    career = list(cadre.career.all())
    for row in career:
        row.period = f"{ym_display(row.start)}—{ym_display(row.end)}"
    family = list(cadre.family.all())
    for row in family:
        row.birth_display = ym_display(row.birth)
    return {
        "cadre": cadre,
        "career": career,
        "family": family,
        "posts": list(cadre.posts.select_related("organization").order_by("-start")),
        "nominations": list(cadre.self_nominations.all()),
        "corrections": list(cadre.correction_requests.all()),
    }


# The correctable items that are fields of the record itself (career and family are rows).
RECORD_FIELDS = [
    name for name in CORRECTABLE_FIELDS if name in {f.name for f in Cadre._meta.concrete_fields}
]


YEAR_MONTH_FIELDS = {"party_joined", "work_started"}


def cadre_field_value(cadre: Cadre, field: str) -> str:
    """What the record says for `field`, as the cadre reads it (names, not codes); "" for
    the items kept as rows."""
    if field not in RECORD_FIELDS:
        return ""
    value = getattr(cadre, field)
    if field == "gender":
        return code_map("GB22611").get(value, value)
    if field == "ethnicity":
        return code_map("GB3304").get(value, value)
    if value is None:
        return ""
    if field in YEAR_MONTH_FIELDS:
        return ym_display(value)
    return str(value.isoformat() if hasattr(value, "isoformat") else value)[:255]


def record_fields(cadre: Cadre) -> list[tuple[str, str]]:
    """The record's key fields as (label, value) for the cadre's own page, with the rank."""
    rows = [(CORRECTABLE_FIELDS[name], cadre_field_value(cadre, name)) for name in RECORD_FIELDS]
    if cadre.leadership_level in LeadershipLevel.values:
        rows.append(("领导职务层次", LeadershipLevel(cadre.leadership_level).label))
    if cadre.rank in Rank.values:
        since = f"（{cadre.rank_since:%Y-%m}）" if cadre.rank_since else ""
        rows.append(("职级", Rank(cadre.rank).label + since))
    return rows


def correction_get(*, user, pk: int) -> CorrectionRequest:
    return CorrectionRequest.objects.select_related(
        "cadre", "cadre__organization"
    ).get_visible_or_404(user, pk=pk)


def corrections_pending(*, user) -> QuerySet[CorrectionRequest]:
    """Correction requests the cadre section has to handle (not the user's own)."""
    roots = role_paths(user, Role.CADRE_STAFF)
    if not roots and not is_system(user):
        return CorrectionRequest.objects.none()
    qs = CorrectionRequest.objects.visible_to(user).filter(status=CorrectionStatus.PENDING)
    if getattr(user, "is_authenticated", False):
        qs = qs.exclude(cadre__user=user)
    return qs.select_related("cadre", "cadre__organization").order_by("submitted_at", "id")


@dataclass
class Pending:
    """A count of things to do and when the oldest came in."""

    count: int
    oldest: object = None


def _pending(qs: QuerySet) -> Pending:
    row = qs.order_by().aggregate(count=Count("id"), oldest=Min("submitted_at"))
    return Pending(row["count"], row["oldest"])


def nomination_todo(*, user) -> dict[str, Pending]:
    """The to-do counts: opinions to give, nominations to decide, corrections to handle."""
    return {
        "opinion": _pending(nominations_for_opinion(user=user)),
        "decide": _pending(nominations_to_decide(user=user)),
        "corrections": _pending(corrections_pending(user=user)),
    }
