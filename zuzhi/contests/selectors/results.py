"""Result versions and their rows (结果版本), and supervision cases (督办)."""

from django.db.models import QuerySet
from django.http import Http404

from zuzhi.core.params import object_id
from zuzhi.core.scope import ancestor_paths, deny
from zuzhi.orgs.models import Organization, UnitCategory

from ..models import (
    Contest,
    ResultRow,
    ResultVersion,
    SupervisionCase,
    VersionStatus,
)
from ..rules import can_manage, manages


def result_versions(*, user, contest: Contest) -> list[ResultVersion]:
    """The result versions a user may see, newest first: drafts only to the organizer."""
    manager = can_manage(user, contest)
    return [v for v in contest.versions.all() if manager or v.status != VersionStatus.DRAFT]


def version_get(*, user, contest: Contest, pk) -> ResultVersion:
    """One result version of the contest, as `result_versions` shows them: a draft asked for
    by anyone but the organizer is refused as out of scope (logged)."""
    version = contest.versions.filter(pk=object_id(pk)).first()
    if version is None:
        raise Http404("未找到该结果版本。")
    if version.status == VersionStatus.DRAFT and not can_manage(user, contest):
        raise deny(user, target=version, message="访问了未发布的考评结果")
    return version


def published_version(contest: Contest) -> ResultVersion | None:
    return contest.versions.filter(status=VersionStatus.PUBLISHED).first()


def result_rows(*, user, version: ResultVersion) -> QuerySet:
    """A version's rows, limited to entrants in the user's scope (the organizer sees all)."""
    qs = ResultRow.objects.filter(version=version).select_related("entrant__organization")
    if manages(user, version.contest):
        return qs
    return qs.visible_to(user)


def case_list(*, user, contest: Contest) -> QuerySet:
    """Supervision cases (督办) of the contest inside the user's scope."""
    return (
        SupervisionCase.objects.filter(contest=contest)
        .select_related("entrant", "owner")
        .visible_to(user)
        .order_by("status", "deadline")
    )


def case_get(*, user, contest: Contest, pk) -> SupervisionCase:
    """One supervision case (督办事项) of the contest on an entrant in the user's scope: 404
    alike for missing and forbidden, the forbidden one logged."""
    return (
        SupervisionCase.objects.filter(contest=contest)
        .select_related("entrant", "owner")
        .get_visible_or_404(user, pk=object_id(pk))
    )


TOWNSHIP_CATEGORIES = (UnitCategory.TOWNSHIP, UnitCategory.SUBDISTRICT)


def townships_of(*, organizations) -> dict[int, str]:
    """The township (乡镇、街道) each organization lies in, by organization id: the nearest
    township at or above it; "" for a county unit, which lies in none. One query for all."""
    chains = {o.pk: [*ancestor_paths(o.path), o.path] for o in organizations}
    names = dict(
        Organization.objects.filter(
            path__in={p for chain in chains.values() for p in chain},
            unit_category__in=TOWNSHIP_CATEGORIES,
        ).values_list("path", "name")
    )
    return {
        pk: next((names[p] for p in reversed(chain) if p in names), "")
        for pk, chain in chains.items()
    }
