"""The quarterly publication (季度晾晒): published contest results for everyone, no login.

What is public: the organizer, the contest's name and period, and per entrant organization
its rank, score, tier, whether it was selected, and its place on the red or black list
(红榜/黑榜, as the standings marked them), with the change of rank from the index's previous
published result. Nothing else.

Only organization contests (村级党组织, 乡镇党委, 县直单位) are published here. Contests of
people (党员, 老干部驻村, 人才) are not: an entrant there is a person, and even without the name
their organization and rank single them out (a branch has one 老干部, a county a handful of
talents), and the talent track is the talent office's alone. Names shown are the
organizations' registered names, never an entrant's free text.

Only the published version (VersionStatus.PUBLISHED) is read: never a draft, and a
correction, once published, replaces the version it corrects (that one becomes superseded).

Contests carry no link from one quarter's index to the next (no series, no template key), so
the previous result of an index is the latest earlier contest (by creation) of the same
organizer and track whose name, less its period label, is the same, in another period, with a
published version: "2026年第三季度 乡镇综合指数" follows "2026年第二季度 乡镇综合指数".
Entrants are matched by organization.

Reads are one query per page section and touch no session, so a cache may keep the pages.
"""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace, Trim
from django.http import Http404

from zuzhi.contests.models import (
    PERSON_TRACKS,
    ListMark,
    ResultRow,
    ResultVersion,
    Track,
    VersionStatus,
)

ORGANIZATION_TRACKS = tuple(t for t in Track.values if t not in PERSON_TRACKS)


def _published() -> QuerySet[ResultVersion]:
    return ResultVersion.objects.filter(
        status=VersionStatus.PUBLISHED,
        contest__is_template=False,
        contest__track__in=ORGANIZATION_TRACKS,
    )


def _index_name(prefix: str = ""):
    """A contest's name less its period label, in SQL (REPLACE and TRIM: both databases)."""
    return Trim(Replace(F(f"{prefix}name"), F(f"{prefix}period_label"), Value("")))


def index_name(name: str, period_label: str) -> str:
    """The same in Python, for the contest at hand: ASCII spaces only, as SQL's TRIM (a
    full-width space after the period stays on both sides)."""
    return (name.replace(period_label, "") if period_label else name).strip(" ")


def publications() -> QuerySet[ResultVersion]:
    """Every published organization result, newest contest first (one query a page)."""
    return (
        _published()
        .select_related("contest__organization")
        .only(
            "id",
            "number",
            "published_at",
            "contest__id",
            "contest__name",
            "contest__period_label",
            "contest__track",
            "contest__organization__name",
        )
        .order_by("-contest__pk")
    )


def publication_get(*, contest_id: int) -> ResultVersion:
    """The published version of an organization contest; 404 for a draft-only contest, a
    contest of people, a template or a missing one alike."""
    version = (
        _published().filter(contest_id=contest_id).select_related("contest__organization").first()
    )
    if version is None:
        raise Http404("未找到已发布的考评结果。")
    return version


def _previous_version(version: ResultVersion) -> QuerySet:
    """The published version of the index's previous result (see the module docstring), as a
    subquery."""
    contest = version.contest
    return (
        _published()
        .filter(
            contest__organization_id=contest.organization_id,
            contest__track=contest.track,
            contest__pk__lt=contest.pk,
        )
        .exclude(contest__period_label=contest.period_label)
        .annotate(index=_index_name("contest__"))
        .filter(index=index_name(contest.name, contest.period_label))
        .order_by("-contest__pk")
        .values("pk")[:1]
    )


@dataclass(frozen=True)
class PublicRow:
    rank: int
    organization: str
    final: object
    tier: str
    selected: bool
    list_mark: str
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained since the previous result (negative: lost); None when new."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def places(self) -> int:
        """How many places it moved, either way."""
        return abs(self.change or 0)


@dataclass
class Publication:
    version: ResultVersion
    rows: list[PublicRow]
    previous_label: str  # the previous result's period ("" when there is none)

    def named(self, text: str) -> list[PublicRow]:
        """The rows whose organization's name holds `text` (a reader looking for their own
        village among a county's hundreds); all rows for no text."""
        text = text.strip()
        return [r for r in self.rows if text in r.organization] if text else self.rows

    @property
    def red(self) -> list[PublicRow]:
        return [r for r in self.rows if r.list_mark == ListMark.RED]

    @property
    def black(self) -> list[PublicRow]:
        return [r for r in self.rows if r.list_mark == ListMark.BLACK]


def publication_rows(*, version: ResultVersion) -> Publication:
    """The version's rows with the change of rank, and the previous result's rows, in one
    query (the previous version is a subquery)."""
    previous = _previous_version(version)
    rows = list(
        ResultRow.objects.filter(Q(version_id=version.pk) | Q(version_id=Subquery(previous)))
        .order_by("version_id", "rank", "entrant__number")
        .values_list(
            "version_id",
            "entrant__organization_id",
            "entrant__organization__name",
            "rank",
            "final",
            "tier",
            "selected",
            "list_mark",
            "version__contest__period_label",
        )
    )
    before = {org: rank for vid, org, _, rank, *_ in rows if vid != version.pk}
    previous_label = next((row[-1] for row in rows if row[0] != version.pk), "")
    current = [
        PublicRow(
            rank=rank,
            organization=name,
            final=final,
            tier=tier,
            selected=selected,
            list_mark=mark,
            previous_rank=before.get(org),
        )
        for vid, org, name, rank, final, tier, selected, mark, _ in rows
        if vid == version.pk
    ]
    return Publication(version=version, rows=current, previous_label=previous_label)
