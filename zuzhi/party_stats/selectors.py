"""The yearly Party statistics (党内统计) read from the registry, for a subtree and a year.

Nobody types these numbers: each table is a few grouped queries over the subtree's members,
organizations and recruitment records as they stood on the statistics date (统计截止日期,
31 December of the year, or today for the current year), however large the subtree. Each
member table adds up to the member total: a member whom the registry cannot place in a
category (no education recorded, say) is counted in the row 未填写, and the check (数据核查)
lists them.

As far as the registry allows: it holds today's members and organizations, so a past year
counts the members who had joined by its end and are still on the registry (those who died or
left the county since are no longer there), and the organizations active today that existed
then; a member's status that year follows the 转正日期.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from zuzhi.core.codes import code_map
from zuzhi.core.dates import require_plausible_year
from zuzhi.core.scope import subtree_q, user_scope_paths
from zuzhi.members.models import Member, MemberCategory, MemberStatus
from zuzhi.members.selectors import AgeBand, age_band_q, member_scoped
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.orgs.selectors import org_existed_q, org_scoped
from zuzhi.recruitment.models import Candidate, Stage

UNKNOWN = "未填写"
HAN = "01"  # GB 3304 汉族

# The age bands of the annual table (年龄), in whole years on the statistics date.
AGE_BANDS = (
    AgeBand("30", "30 岁及以下", None, 30),
    AgeBand("31-35", "31～35 岁", 31, 35),
    AgeBand("36-40", "36～40 岁", 36, 40),
    AgeBand("41-45", "41～45 岁", 41, 45),
    AgeBand("46-50", "46～50 岁", 46, 50),
    AgeBand("51-55", "51～55 岁", 51, 55),
    AgeBand("56-60", "56～60 岁", 56, 60),
    AgeBand("61-70", "61～70 岁", 61, 70),
    AgeBand("71", "71 岁及以上", 71, None),
)

# The education columns of the annual table (学历), as sets of ZB64 codes (DmGrp.xml): each
# top entry with the entries under it; 中技 goes with 高中 as the table has it.
EDUCATION_LEVELS = (
    ("postgraduate", "研究生", ("1", "11", "12", "1A", "1B")),
    ("undergraduate", "大学本科", ("2", "21", "22", "23")),
    ("college", "大学专科", ("3", "31", "32", "33", "34")),
    ("secondary", "中专", ("35",)),
    ("high_school", "高中、中技", ("36", "37")),
    ("junior", "初中及以下", ("38", "39")),
)

# The periods of joining (入党时间) of the annual table, first and last day inclusive.
JOIN_PERIODS = (
    ("before_1949", "建国前", None, datetime.date(1949, 9, 30)),
    ("1949_1966", "1949.10—1966.4", datetime.date(1949, 10, 1), datetime.date(1966, 4, 30)),
    ("1966_1976", "1966.5—1976.10", datetime.date(1966, 5, 1), datetime.date(1976, 10, 31)),
    ("1976_1978", "1976.11—1978.12", datetime.date(1976, 11, 1), datetime.date(1978, 12, 31)),
    ("1979_2002", "1979.1—2002.10", datetime.date(1979, 1, 1), datetime.date(2002, 10, 31)),
    ("2002_2012", "2002.11—2012.10", datetime.date(2002, 11, 1), datetime.date(2012, 10, 31)),
    ("2012", "2012.11 以后", datetime.date(2012, 11, 1), None),
)

GENDERS = (("male", "男", "1"), ("female", "女", "2"))

# The stages of recruitment a candidate stands at on a day, by the dates of their steps.
RECRUITMENT_STAGES = (
    (Stage.APPLICANT, "applied_on", "activist_on"),
    (Stage.ACTIVIST, "activist_on", "target_on"),
    (Stage.TARGET, "target_on", "admitted_on"),
    (Stage.PROBATIONARY, "admitted_on", "full_on"),
)


def join_period_q(start: datetime.date | None, end: datetime.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(join_date__gte=start)
    if end is not None:
        q &= Q(join_date__lte=end)
    return q


def full_on_q(as_of: datetime.date) -> Q:
    """A full member (正式党员) on `as_of`: made full by then, or full today with no date of
    becoming full on record (an old roster), who is taken to have been full already."""
    return Q(full_date__lte=as_of) | Q(status=MemberStatus.FULL, full_date__isnull=True)


# --- the check (数据核查): what keeps a member out of a table ------------------------------------
@dataclass(frozen=True)
class Problem:
    key: str
    label: str  # what is missing; the member is counted as 未填写 in the table of `key`


def problem_q(key: str) -> Q:
    """The members with problem `key`. Birth date and date of joining are required by the
    registry (the birth date follows the ID number), so no member lacks them."""
    if key == "education":
        return ~Q(education__in=[c for _, _, codes in EDUCATION_LEVELS for c in codes])
    if key == "gender":
        return ~Q(gender__in=[code for _, _, code in GENDERS])
    if key == "ethnicity":
        return ~Q(ethnicity__in=list(code_map("GB3304")))
    if key == "category":
        return ~Q(category__in=MemberCategory.values)
    raise KeyError(key)


PROBLEMS = (
    Problem("education", "未填写学历"),
    Problem("gender", "未填写性别"),
    Problem("ethnicity", "未填写民族"),
    Problem("category", "未填写人员类别"),
)
PROBLEM_KEYS = {p.key: p for p in PROBLEMS}


# --- the tables -----------------------------------------------------------------------------
@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    count: int
    share: Decimal  # per cent of the table's total, two places
    # A 其中 row (回族 under 少数民族): part of a row above, not added to the total.
    detail: bool = False


@dataclass(frozen=True)
class StatTable:
    key: str
    title: str
    heading: str  # the heading of the category column
    unit: str  # 人 or 个
    rows: list[StatRow]
    total: int
    # Records the registry cannot place in this table (counted in its 未填写 row).
    blocked: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PartyStats:
    organization: Organization
    year: int
    as_of: datetime.date
    tables: list[StatTable]
    checks: list[tuple[Problem, int]]

    @property
    def member_total(self) -> int:
        return self.tables[0].total

    @property
    def blocked_total(self) -> int:
        return sum(n for _, n in self.checks)


def share(count: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.00")
    return (Decimal(count) * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _table(
    key: str,
    title: str,
    heading: str,
    counts: list[tuple[str, str, int]],
    total: int,
    *,
    unit: str = "人",
    details: list[tuple[str, str, int]] = (),
    unknown: bool = True,
    notes: list[str] = (),
) -> StatTable:
    """A table whose rows add up to `total`; what no row holds is the row 未填写 (shown only
    when some record falls there) and is the table's blocked count."""
    rows = [StatRow(k, label, n, share(n, total)) for k, label, n in counts]
    rest = total - sum(n for _, _, n in counts) if unknown else 0
    if rest:
        rows.append(StatRow("unknown", UNKNOWN, rest, share(rest, total)))
    rows += [StatRow(k, label, n, share(n, total), detail=True) for k, label, n in details]
    return StatTable(key, title, heading, unit, rows, total, rest, list(notes))


# --- the subtree and the date -------------------------------------------------------------------
def stats_as_of(*, year: int, today: datetime.date | None = None) -> datetime.date:
    """The statistics date of `year`: its 31 December, or today in the current year."""
    today = today or timezone.localdate()
    require_plausible_year(year=year)
    if year > today.year:
        raise ValidationError({"year": ["统计年度不能晚于今年。"]})
    return today if year == today.year else datetime.date(year, 12, 31)


def stats_root(*, user, org: Organization | None) -> Organization:
    """The subtree counted: `org` (already read through the user's scope by org_param), or
    else the user's own root (the county for county staff, the township for its clerk)."""
    if org is not None:
        return org
    roots = user_scope_paths(user)
    if not roots:
        raise Http404("未找到该对象。")
    return Organization.objects.get(path=roots[0])


def stats_members(*, user, org: Organization, as_of: datetime.date) -> QuerySet[Member]:
    """The members of `org`'s subtree who had joined by `as_of`."""
    return member_scoped(user=user).filter(
        subtree_q(org.path, "organization__path"), join_date__lte=as_of
    )


# --- the figures ----------------------------------------------------------------------------
def _member_tables(members: QuerySet[Member], as_of: datetime.date) -> list[StatTable]:
    """Gender, age, education, joining and status: one query of conditional counts."""
    counts = {"total": Count("pk"), "full": Count("pk", filter=full_on_q(as_of))}
    counts |= {f"g_{k}": Count("pk", filter=Q(gender=code)) for k, _, code in GENDERS}
    counts |= {f"a_{b.key}": Count("pk", filter=age_band_q(b, today=as_of)) for b in AGE_BANDS}
    counts |= {
        f"e_{k}": Count("pk", filter=Q(education__in=codes)) for k, _, codes in EDUCATION_LEVELS
    }
    counts |= {
        f"j_{k}": Count("pk", filter=join_period_q(start, end)) for k, _, start, end in JOIN_PERIODS
    }
    row = members.aggregate(**counts)
    total = row["total"]
    return [
        _table(
            "status",
            "党员总数（正式党员、预备党员）",
            "类别",
            [
                ("full", MemberStatus.FULL.label, row["full"]),
                ("probationary", MemberStatus.PROBATIONARY.label, total - row["full"]),
            ],
            total,
            unknown=False,
        ),
        _table(
            "gender",
            "党员按性别",
            "性别",
            [(k, label, row[f"g_{k}"]) for k, label, _ in GENDERS],
            total,
        ),
        _table(
            "age",
            "党员按年龄",
            "年龄",
            [(b.key, b.label, row[f"a_{b.key}"]) for b in AGE_BANDS],
            total,
            unknown=False,
            notes=[f"年龄按统计截止日期 {as_of:%Y-%m-%d} 的周岁计算。"],
        ),
        _table(
            "education",
            "党员按学历",
            "学历",
            [(k, label, row[f"e_{k}"]) for k, label, _ in EDUCATION_LEVELS],
            total,
        ),
        _table(
            "joined",
            "党员按入党时间",
            "入党时间",
            [(k, label, row[f"j_{k}"]) for k, label, _, _ in JOIN_PERIODS],
            total,
            unknown=False,
        ),
    ]


def _ethnicity_table(members: QuerySet[Member], total: int) -> StatTable:
    """汉族 and 少数民族, with each minority present below: one grouped query."""
    names = code_map("GB3304")
    by_code = dict(members.values_list("ethnicity").annotate(n=Count("pk")).order_by())
    minorities = sorted((code, n) for code, n in by_code.items() if code in names and code != HAN)
    return _table(
        "ethnicity",
        "党员按民族",
        "民族",
        [
            ("han", "汉族", by_code.get(HAN, 0)),
            ("minority", "少数民族", sum(n for _, n in minorities)),
        ],
        total,
        details=[(code, f"其中：{names[code]}", n) for code, n in minorities],
    )


def _category_table(members: QuerySet[Member], total: int) -> StatTable:
    """人员类别 as the registry stores it: one grouped query."""
    by_code = dict(members.values_list("category").annotate(n=Count("pk")).order_by())
    return _table(
        "category",
        "党员按人员类别",
        "人员类别",
        [(value, label, by_code.get(value, 0)) for value, label in MemberCategory.choices],
        total,
    )


def _org_tables(*, user, org: Organization, as_of: datetime.date) -> list[StatTable]:
    """Organizations of the subtree by type and by unit category: two grouped queries."""
    orgs = org_scoped(user=user).filter(
        subtree_q(org.path), org_existed_q(as_of + datetime.timedelta(days=1)), is_active=True
    )
    tables = []
    for key, title, heading, column, choices in (
        ("org_type", "党组织按类型", "组织类型", "org_type", OrgType.choices),
        ("unit_category", "党组织按单位类别", "单位类别", "unit_category", UnitCategory.choices),
    ):
        by_value = dict(orgs.values_list(column).annotate(n=Count("pk")).order_by())
        tables.append(
            _table(
                key,
                title,
                heading,
                [(value, label, by_value.get(value, 0)) for value, label in choices],
                sum(by_value.values()),
                unit="个",
                unknown=False,
            )
        )
    return tables


def _recruitment_table(*, user, org: Organization, year: int, as_of: datetime.date) -> StatTable:
    """Who stood at which step of recruitment on `as_of` (by the dates of their steps), and
    who was admitted as a probationary member in the year: one query."""
    candidates = (
        Candidate.objects.visible_to(user)
        .filter(subtree_q(org.path, "organization__path"))
        .exclude(stage=Stage.WITHDRAWN)
    )
    counts = {
        stage.value: Count(
            "pk",
            filter=Q(**{f"{since}__lte": as_of})
            & (Q(**{f"{until}__isnull": True}) | Q(**{f"{until}__gt": as_of})),
        )
        for stage, since, until in RECRUITMENT_STAGES
    }
    counts["admitted"] = Count(
        "pk", filter=Q(admitted_on__gte=datetime.date(year, 1, 1), admitted_on__lte=as_of)
    )
    row = candidates.aggregate(**counts)
    stages = [(s.value, s.label, row[s.value]) for s, _, _ in RECRUITMENT_STAGES]
    return _table(
        "recruitment",
        "发展党员工作情况",
        "阶段",
        stages,
        sum(n for _, _, n in stages),
        unknown=False,
        details=[("admitted", f"{year} 年发展党员（接收为预备党员）", row["admitted"])],
        notes=["按发展党员台账中各环节的日期统计；已终止培养的不计。"],
    )


def party_stats(
    *, user, org: Organization | None, year: int, today: datetime.date | None = None
) -> PartyStats:
    """The tables of the yearly Party statistics for `org`'s subtree (default: the user's
    root) in `year`, with the counts of the check."""
    as_of = stats_as_of(year=year, today=today)
    root = stats_root(user=user, org=org)
    members = stats_members(user=user, org=root, as_of=as_of)
    status, gender, age, education, joined = _member_tables(members, as_of)
    tables = [
        status,
        gender,
        _ethnicity_table(members, status.total),
        age,
        education,
        joined,
        _category_table(members, status.total),
        *_org_tables(user=user, org=root, as_of=as_of),
        _recruitment_table(user=user, org=root, year=year, as_of=as_of),
    ]
    return PartyStats(root, year, as_of, tables, problem_counts(members))


def problem_counts(members: QuerySet[Member]) -> list[tuple[Problem, int]]:
    """How many members each problem of the check blocks: one query."""
    row = members.aggregate(**{p.key: Count("pk", filter=problem_q(p.key)) for p in PROBLEMS})
    return [(p, row[p.key]) for p in PROBLEMS]


def problem_members(members: QuerySet[Member], *, problem: str | None = None) -> QuerySet[Member]:
    """The members the check lists (数据核查): those with `problem`, or with any; each
    annotated `missing_<problem>` by the same rules that count them."""
    if problem:
        q = problem_q(problem)
    else:
        q = Q()
        for p in PROBLEMS:
            q |= problem_q(p.key)
    flags = {
        f"missing_{p.key}": Case(
            When(problem_q(p.key), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for p in PROBLEMS
    }
    return (
        members.filter(q)
        .annotate(**flags)
        .select_related("organization")
        .order_by("organization__path", "pk")
    )
