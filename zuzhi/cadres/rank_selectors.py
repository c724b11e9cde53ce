"""Reads of ranks: each unit's quota use, a cadre's rank history, who may be promoted by
minimum years. Counts are aggregated in the database: one grouped query for the county."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404

from zuzhi.core.scope import deny
from zuzhi.orgs.models import Organization

from . import rank_rules
from .models import Cadre, Rank, RankGrant, StaffGradeGrant, UnitEstablishment
from .models.scoping import cadre_section_q, is_cadre_staff, require_cadre_section


def require_cadre_staff(user) -> None:
    """The rank pages are the cadre section's: anyone else gets the logged 404."""
    if not is_cadre_staff(user):
        raise deny(user, message="非干部科人员访问干部职级页面")


@dataclass
class UnitQuota:
    """One unit's row of the quota table (职级职数使用情况)."""

    organization_id: int
    name: str
    path: str
    posts: int | None
    uses: list[rank_rules.QuotaUse] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return any(u.over for u in self.uses)


def _quota_uses(posts: int | None, counts: dict) -> list[rank_rules.QuotaUse]:
    return [
        rank_rules.QuotaUse(
            group=group,
            used=counts.get(group.key, 0),
            quota=None if posts is None else rank_rules.quota(group, posts),
        )
        for group in rank_rules.QUOTA_GROUPS
    ]


def unit_quotas(*, user, organization: Organization | None = None) -> list[UnitQuota]:
    """Every unit of the cadre section's subtree that has posts set or cadres in it, with
    each quota group's holders and quota; one unit when `organization` is given."""
    require_cadre_staff(user)
    section = cadre_section_q(user, "organization__path")
    holders = {
        f"n_{g.key}": Count("pk", filter=Q(rank__in=g.ranks)) for g in rank_rules.QUOTA_GROUPS
    }
    cadres = Cadre.objects.filter(section, is_active=True)
    establishments = UnitEstablishment.objects.filter(section)
    if organization is not None:
        cadres = cadres.filter(organization=organization)
        establishments = establishments.filter(organization=organization)
    counts = {
        row.pop("organization_id"): row
        for row in cadres.order_by().values("organization_id").annotate(**holders)
    }
    posts = dict(establishments.values_list("organization_id", "posts"))
    orgs = Organization.objects.filter(pk__in=set(counts) | set(posts)).order_by("path")
    rows = []
    for org in orgs.only("pk", "name", "path"):
        held = {k.removeprefix("n_"): v for k, v in counts.get(org.pk, {}).items()}
        rows.append(
            UnitQuota(
                organization_id=org.pk,
                name=org.name,
                path=org.path,
                posts=posts.get(org.pk),
                uses=_quota_uses(posts.get(org.pk), held),
            )
        )
    return rows


def unit_for_establishment(*, user, org_id: int) -> Organization:
    """A unit whose posts the user may set: in their cadre section's subtree (logged 404)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise Http404("未找到该对象。")
    require_cadre_section(user, org.path, target=org)
    return org


def rank_cadre_get(*, user, pk: int, write: bool = False) -> Cadre:
    """A cadre the user sees (the cadre section, or the cadre's own account); `write` for
    the cadre section alone. The logged 404 otherwise."""
    cadre = Cadre.objects.select_related("organization").get_visible_or_404(user, pk=pk)
    if write:
        require_cadre_section(user, cadre.organization.path, target=cadre)
    return cadre


def rank_grant_get(*, user, pk: int) -> RankGrant:
    """A rank record the cadre section may correct or delete."""
    grant = RankGrant.objects.select_related("cadre__organization").get_visible_or_404(user, pk=pk)
    require_cadre_section(user, grant.cadre.organization.path, target=grant.cadre)
    return grant


def rank_history(*, cadre: Cadre) -> list[RankGrant]:
    """A cadre's ranks, latest first (read through `rank_cadre_get`)."""
    return list(RankGrant.objects.filter(cadre=cadre).order_by("-reached_on", "-pk"))


def staff_grade_history(*, cadre: Cadre) -> list[StaffGradeGrant]:
    return list(StaffGradeGrant.objects.filter(cadre=cadre).order_by("-reached_on", "-pk"))


@dataclass
class Eligible:
    """A cadre who has served the minimum years for the next rank (list only: merit decides)."""

    cadre: Cadre
    next_rank: Rank
    since: datetime.date
    quota_use: rank_rules.QuotaUse | None = None

    @property
    def current_label(self) -> str:
        return Rank(self.cadre.rank).label


def promotion_eligible(*, user, on: datetime.date) -> list[Eligible]:
    """Active cadres of the section's subtree who on `on` have served the minimum years in
    their rank for the next one: one query, one indexed date comparison per rank."""
    require_cadre_staff(user)
    reached = Q()
    for rank in rank_rules.RANK_ORDER:
        above = rank_rules.rank_above(rank)
        if above is None:
            continue
        cutoff = rank_rules.served_since_cutoff(on, rank_rules.minimum_years(above))
        reached |= Q(rank=rank, rank_since__lte=cutoff)
    cadres = (
        Cadre.objects.filter(cadre_section_q(user, "organization__path"), is_active=True)
        .filter(reached)
        .select_related("organization")
        .only("pk", "name", "rank", "rank_since", "organization__name", "organization__path")
        .order_by("organization__path", "name", "pk")
    )
    return [
        Eligible(
            cadre=c,
            next_rank=rank_rules.rank_above(c.rank),
            since=rank_rules.earliest_promotion(c.rank_since, rank_rules.rank_above(c.rank)),
        )
        for c in cadres
    ]
