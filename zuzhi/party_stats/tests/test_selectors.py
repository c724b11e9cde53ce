"""The statistics tables against counts computed here, by plain Python over the records made:
every band of age and of joining met on its boundary days, a past year and the current one,
and the subtree boundary."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from zuzhi.core.codes import code_map
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.members.models import Member, MemberCategory
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.party_stats import selectors
from zuzhi.party_stats.selectors import party_stats
from zuzhi.recruitment.models import Candidate, Stage
from zuzhi.recruitment.services import candidate_advance, candidate_apply
from zuzhi.testing.factories import (
    OrganizationFactory,
    make_member,
    user_with_role,
    valid_id_number,
)

YEAR = 2025
AS_OF = datetime.date(2025, 12, 31)
TODAY = datetime.date(2026, 6, 1)  # the statistics of 2025, asked in 2026
EDUCATIONS = ["11", "1A", "21", "23", "31", "34", "35", "36", "37", "38", "39", ""]
ETHNICITIES = ["01", "01", "03", "02", "01", "03"]
CATEGORIES = MemberCategory.values


def born_aged(age: int, *, days_later: int = 0) -> datetime.date:
    """The birth date of someone exactly `age` on AS_OF (their birthday that day), moved
    `days_later` days later (one day later: still `age - 1`)."""
    return AS_OF.replace(year=AS_OF.year - age) + datetime.timedelta(days=days_later)


class Registry:
    """Members in every band, on both sides of every boundary, spread over the county."""

    def __init__(self, county):
        self.county = county
        self.n = 0
        branches = [county.village_a1, county.village_a2, county.village_b1, county.unit]
        for age in (29, 30, 31, 35, 36, 40, 41, 45, 46, 50, 51, 55, 56, 60, 61, 70, 71, 90):
            for days_later in (0, 1):
                self.member(
                    branches[self.n % 4],
                    born=born_aged(age, days_later=days_later),
                    join_date=datetime.date(2015, 7, 1),
                )
        for join in (
            "1946-05-01 1949-09-30 1949-10-01 1966-04-30 1966-05-01 1976-10-31 1976-11-01 "
            "1978-12-31 1979-01-01 2002-10-31 2002-11-01 2012-10-31 2012-11-01 2025-12-31 "
            "2026-01-01 2026-05-31"
        ).split():
            self.member(
                branches[self.n % 4],
                born=datetime.date(1926, 3, 1) if join < "1980" else datetime.date(1980, 3, 1),
                join_date=datetime.date.fromisoformat(join),
            )
        # Status on AS_OF: full by then, full only since, probationary, full with no date.
        self.member(county.village_a1, born=datetime.date(1990, 1, 1), full_date=None)
        self.member(
            county.village_a1,
            born=datetime.date(1990, 1, 2),
            join_date=datetime.date(2025, 1, 10),
            full_date=datetime.date(2026, 1, 10),
        )
        self.member(
            county.village_a2,
            born=datetime.date(1990, 1, 3),
            join_date=datetime.date(2025, 3, 1),
            status="probationary",
            full_date=None,
        )
        # Records the registry cannot place (old rosters, before today's checks).
        blank = self.member(county.village_a2, born=datetime.date(1991, 1, 1), education="")
        Member.objects.filter(pk=blank.pk).update(gender="", ethnicity="", category="")

    def member(self, org, *, born: datetime.date, **overrides) -> Member:
        self.n += 1
        data = {
            "name": f"党员{self.n}",
            "id_number": valid_id_number(born.strftime("%Y%m%d"), self.n),
            "education": EDUCATIONS[self.n % len(EDUCATIONS)],
            "ethnicity": ETHNICITIES[self.n % len(ETHNICITIES)],
            "category": CATEGORIES[self.n % len(CATEGORIES)],
            "join_date": max(born.replace(year=born.year + 20), datetime.date(1946, 5, 1)),
            "full_date": None,
        }
        data.update(overrides)
        if data.get("status", "full") == "full" and "full_date" not in overrides:
            data["full_date"] = data["join_date"] + datetime.timedelta(days=366)
            if data["full_date"] > TODAY:
                data["full_date"] = None
        return make_member(org, **data)


@pytest.fixture
def registry(county):
    return Registry(county)


# --- the counts, computed independently -----------------------------------------------------
def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    if age <= 30:
        return "30 岁及以下"
    if age >= 71:
        return "71 岁及以上"
    if 61 <= age <= 70:
        return "61～70 岁"
    low = 31 + (age - 31) // 5 * 5
    return f"{low}～{low + 4} 岁"


def join_period(day: datetime.date) -> str:
    if day < datetime.date(1949, 10, 1):
        return "建国前"
    for start, end, label in (
        ((1949, 10), (1966, 4), "1949.10—1966.4"),
        ((1966, 5), (1976, 10), "1966.5—1976.10"),
        ((1976, 11), (1978, 12), "1976.11—1978.12"),
        ((1979, 1), (2002, 10), "1979.1—2002.10"),
        ((2002, 11), (2012, 10), "2002.11—2012.10"),
    ):
        if start <= (day.year, day.month) <= end:
            return label
    return "2012.11 以后"


EDUCATION_OF = {
    "1": "研究生",
    "2": "大学本科",
    "3": "大学专科",
    "35": "中专",
    "36": "高中、中技",
    "37": "高中、中技",
    "38": "初中及以下",
    "39": "初中及以下",
}


def education_level(code: str) -> str:
    return EDUCATION_OF.get(code) or EDUCATION_OF.get(code[:1], "未填写") if code else "未填写"


def expected(members: list[Member], day: datetime.date) -> dict[str, Counter]:
    members = [m for m in members if m.join_date <= day]
    names = code_map("GB3304")
    ethnic = Counter()
    for m in members:
        if m.ethnicity == "01":
            ethnic["汉族"] += 1
        elif m.ethnicity in names:
            ethnic["少数民族"] += 1
            ethnic[f"其中：{names[m.ethnicity]}"] += 1
        else:
            ethnic["未填写"] += 1
    categories = dict(MemberCategory.choices)
    return {
        "status": Counter(
            "正式党员"
            if (m.full_date and m.full_date <= day) or (m.status == "full" and not m.full_date)
            else "预备党员"
            for m in members
        ),
        "gender": Counter({"1": "男", "2": "女"}.get(m.gender, "未填写") for m in members),
        "ethnicity": ethnic,
        "age": Counter(age_band(age_on(m.birth_date, day)) for m in members),
        "education": Counter(education_level(m.education) for m in members),
        "joined": Counter(join_period(m.join_date) for m in members),
        "category": Counter(categories.get(m.category, "未填写") for m in members),
    }


def shown(stats, key: str) -> Counter:
    table = next(t for t in stats.tables if t.key == key)
    return Counter({row.label: row.count for row in table.rows if row.count})


def in_subtree(org: Organization) -> list[Member]:
    return [m for m in Member.objects.all() if m.organization.path.startswith(org.path)]


# --- the tests ------------------------------------------------------------------------------
def test_every_member_table_matches_the_registry_counted_by_hand(registry, county, county_user):
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    assert stats.organization == county.county and stats.as_of == AS_OF
    want = expected(in_subtree(county.county), AS_OF)
    for key, counts in want.items():
        assert shown(stats, key) == counts, key
    total = sum(want["status"].values())
    assert total == Member.objects.filter(join_date__lte=AS_OF).count()
    member_tables = [t for t in stats.tables if t.unit == "人" and t.key != "recruitment"]
    assert len(member_tables) == 7
    for table in member_tables:
        assert table.total == total, table.key
        # The rows add up to the total; 其中 rows are part of a row above.
        assert sum(r.count for r in table.rows if not r.detail) == total, table.key


def test_the_boundary_days_fall_in_the_bands_of_the_annual_table(registry, county_user):
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    ages, joined = shown(stats, "age"), shown(stats, "joined")
    # Aged exactly 30 on 31 December is ≤30; exactly 31 is 31–35 (as are 35-year-olds).
    by_age = {
        age: age_band(age_on(born_aged(age), AS_OF)) for age in (30, 31, 35, 36, 60, 61, 70, 71)
    }
    assert by_age == {
        30: "30 岁及以下",
        31: "31～35 岁",
        35: "31～35 岁",
        36: "36～40 岁",
        60: "56～60 岁",
        61: "61～70 岁",
        70: "61～70 岁",
        71: "71 岁及以上",
    }
    # Counted by hand from Registry: the two aged 29, the one aged 30 on the day, the one
    # a day short of 30, the one a day short of 31; the 61-year-old and those 69 and 70.
    assert ages["30 岁及以下"] == 5
    assert ages["61～70 岁"] == 4
    assert ages["71 岁及以上"] == 12  # 71 on the day, two aged 90, nine born in 1926
    # Joined 1966-04-30 is 1949.10—1966.4, 1966-05-01 is 1966.5—1976.10.
    assert joined["1949.10—1966.4"] == 2 and joined["1966.5—1976.10"] == 2
    assert joined["建国前"] == 2 and joined["1976.11—1978.12"] == 2
    # Joined on 2025-12-31 counts in 2025; joined in 2026 does not.
    assert joined["2012.11 以后"] == sum(
        1
        for m in Member.objects.all()
        if m.join_date >= datetime.date(2012, 11, 1) and m.join_date <= AS_OF
    )


def test_shares_are_per_cent_of_the_total(registry, county_user):
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    gender = next(t for t in stats.tables if t.key == "gender")
    for row in gender.rows:
        assert abs(float(row.share) - row.count * 100 / gender.total) < 0.006


def test_the_current_year_counts_up_to_today(registry, county_user):
    stats = party_stats(user=county_user, org=None, year=TODAY.year, today=TODAY)
    assert stats.as_of == TODAY
    want = expected(in_subtree(Organization.objects.get(code="C")), TODAY)
    assert shown(stats, "status") == want["status"]
    assert shown(stats, "age") == want["age"]
    assert stats.member_total == Member.objects.filter(join_date__lte=TODAY).count()


def test_a_future_year_is_refused(county_user, county):
    with pytest.raises(ValidationError):
        party_stats(user=county_user, org=None, year=TODAY.year + 1, today=TODAY)


def test_a_township_counts_its_own_subtree_only(registry, county, town_a_user):
    stats = party_stats(user=town_a_user, org=None, year=YEAR, today=TODAY)
    assert stats.organization == county.town_a
    want = expected(in_subtree(county.town_a), AS_OF)
    assert shown(stats, "education") == want["education"]
    assert stats.member_total == sum(want["status"].values())
    assert stats.member_total < Member.objects.filter(join_date__lte=AS_OF).count()


def test_the_county_excludes_other_counties(registry, county, county_user):
    other = OrganizationFactory(
        code="C2", name="邻县县委", org_type=OrgType.COUNTY_COMMITTEE, unit_category="county"
    )
    branch = OrganizationFactory(parent=other, code="C2V", name="邻县村党支部")
    registry.member(branch, born=datetime.date(1980, 5, 5))
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    assert stats.member_total == sum(expected(in_subtree(county.county), AS_OF)["status"].values())
    org_total = next(t for t in stats.tables if t.key == "org_type").total
    assert org_total == Organization.objects.filter(path__startswith=county.county.path).count()
    other_user = user_with_role(Role.COUNTY_STAFF, other, username="c2")
    assert party_stats(user=other_user, org=None, year=YEAR, today=TODAY).member_total == 1


def test_organizations_by_type_and_unit_category(county, county_user):
    OrganizationFactory(
        parent=county.town_a,
        code="NEW",
        name="新成立党支部",
        unit_category=UnitCategory.PRIVATE_FIRM,
        founded_on=datetime.date(2026, 3, 1),
    )
    OrganizationFactory(
        parent=county.town_a, code="OLD", name="撤销的党支部", founded_on=None, is_active=False
    )
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    # Existing at the end of 2025 and still active: the new branch and the closed one are not.
    existing = [
        o
        for o in Organization.objects.all()
        if o.is_active and o.founded_on and o.founded_on <= AS_OF
    ]
    labels = dict(OrgType.choices)
    assert shown(stats, "org_type") == Counter(labels[o.org_type] for o in existing)
    units = dict(UnitCategory.choices)
    assert shown(stats, "unit_category") == Counter(units[o.unit_category] for o in existing)
    now = party_stats(user=county_user, org=None, year=TODAY.year, today=TODAY)
    assert shown(now, "unit_category")["非公有制企业（两新）"] == 1


def candidate(org, n: int, *steps: datetime.date) -> Candidate:
    c = candidate_apply(
        actor=SYSTEM,
        organization=org,
        applied_on=datetime.date(2022, 3, 1),
        data={"name": f"申请人{n}", "id_number": valid_id_number("19950101", n), "ethnicity": "01"},
    )
    for on in steps:
        c = candidate_advance(actor=SYSTEM, candidate=c, on=on)
    return c


def test_recruitment_by_stage_on_the_statistics_date(county, county_user):
    d = datetime.date
    candidate(county.village_a1, 1)  # applicant
    candidate(county.village_a1, 2, d(2025, 12, 31))  # activist on the last day
    candidate(county.village_a1, 3, d(2026, 1, 5))  # still an applicant at the end of 2025
    candidate(county.village_a2, 4, d(2023, 1, 1), d(2024, 6, 1))  # development target
    candidate(county.village_b1, 5, d(2023, 1, 1), d(2024, 6, 1), d(2025, 3, 1))  # admitted
    candidate(county.village_b1, 6, d(2022, 4, 1), d(2023, 5, 1), d(2024, 1, 1), d(2025, 1, 2))
    withdrawn = candidate(county.village_b1, 7)
    Candidate.objects.filter(pk=withdrawn.pk).update(stage=Stage.WITHDRAWN)
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    table = next(t for t in stats.tables if t.key == "recruitment")
    counts = {r.key: r.count for r in table.rows}
    assert counts == {
        "applicant": 2,
        "activist": 1,
        "target": 1,
        "probationary": 1,
        "admitted": 1,
    }
    assert table.total == 5


def test_the_check_counts_and_lists_members_without_education(registry, county, county_user):
    stats = party_stats(user=county_user, org=None, year=YEAR, today=TODAY)
    everyone = [m for m in in_subtree(county.county) if m.join_date <= AS_OF]
    no_education = [m for m in everyone if education_level(m.education) == "未填写"]
    assert no_education
    checks = {p.key: n for p, n in stats.checks}
    assert checks == {"education": len(no_education), "gender": 1, "ethnicity": 1, "category": 1}
    education = next(t for t in stats.tables if t.key == "education")
    assert education.blocked == len(no_education)
    members = selectors.stats_members(user=county_user, org=county.county, as_of=AS_OF)
    listed = list(selectors.problem_members(members, problem="education"))
    assert {m.pk for m in listed} == {m.pk for m in no_education}
    blank = next(m for m in listed if m.gender == "")
    assert blank.missing_gender and blank.missing_category and blank.missing_education
