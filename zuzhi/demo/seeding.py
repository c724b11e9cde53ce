"""Building the demo county 示范县. Deterministic for a seed; running again changes nothing.

Every organization goes through zuzhi.orgs.services, so paths, validation and audit are real.
Later modules add their own `seed_*` functions and call them from the seed-demo command.
"""

import datetime
import itertools
import random
import secrets
from dataclasses import dataclass, field

from django.db import connection

from zuzhi.accounts.services import user_upsert
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.members.services import add_years
from zuzhi.orgs.models import Organization, OrgType, UnitCategory
from zuzhi.orgs.services import org_create, org_update

from . import names

COUNTY_CODE = "SFX"
COUNTY_DIVISION = "411330"
TODAY = datetime.date(2026, 11, 23)


@dataclass
class DemoCounty:
    county: Organization
    townships: list[Organization] = field(default_factory=list)
    villages: dict[int, list[Organization]] = field(default_factory=dict)  # township pk → branches
    created: int = 0
    updated: int = 0


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows just seeded. The seeder runs in one transaction,
    which autovacuum cannot see into: without this, tables analysed while empty are planned
    as empty, and the later stages' joins become nested loops over thousands of rows (the
    demo took minutes). ANALYZE counts the transaction's own rows; SQLite needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def random_password() -> str:
    """A password that passes the policy: four character classes, 16 characters."""
    return f"Sfx-{secrets.token_hex(4)}-{secrets.randbelow(9000) + 1000}Q"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (十二, 二十)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones or not tens else "")


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
    return rng.choice(names.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return (
        rng.choice(["13", "15", "18", "17", "19"])
        + str(rng.randint(0, 9))
        + f"{rng.randint(0, 99999999):08d}"
    )


def term(rng: random.Random, years: int) -> tuple[datetime.date, datetime.date]:
    """Terms mostly current; some expired and some expiring within 90 days, as in real counties."""
    roll = rng.random()
    if roll < 0.08:
        end = TODAY - datetime.timedelta(days=rng.randint(10, 300))
    elif roll < 0.18:
        end = TODAY + datetime.timedelta(days=rng.randint(5, 85))
    else:
        end = TODAY + datetime.timedelta(days=rng.randint(120, 365 * (years - 1)))
    start = add_years(end, -years)  # an end on 29 February has no same day years earlier
    return start, end


class _Builder:
    def __init__(self, rng: random.Random, demo: DemoCounty | None = None):
        self.rng = rng
        self.demo = demo
        self.existing = {
            o.code: o for o in Organization.objects.filter(code__startswith=COUNTY_CODE)
        }

    def org(self, parent, code, name, org_type, category, *, years=5, **extra) -> Organization:
        start, end = term(self.rng, years)
        data = {
            "name": name,
            "org_type": org_type,
            "unit_category": category,
            "secretary_name": person_name(self.rng),
            "secretary_phone": mobile(self.rng),
            "founded_on": datetime.date(
                self.rng.randint(1950, 2015), self.rng.randint(1, 12), self.rng.randint(1, 28)
            ),
            "term_start": start,
            "term_end": end,
            **extra,
        }
        current = self.existing.get(code)
        if current is None:
            org = org_create(actor=SYSTEM, parent=parent, data={"code": code, **data})
            self.demo.created += 1
        else:
            if current.committee_seats.filter(position="secretary", ended_on__isnull=True).exists():
                del data["secretary_name"]  # once a roster exists, it names the secretary
            before = current.updated_at
            org = org_update(
                actor=SYSTEM, org=current, data={"parent": parent, **data} if parent else data
            )
            self.demo.updated += org.updated_at != before
        self.existing[code] = org
        return org


def _village_names(rng: random.Random, count: int, used: set[str]) -> list[str]:
    result = []
    while len(result) < count:
        first = rng.choice(names.SURNAMES if rng.random() < 0.7 else names.NATURE_PREFIXES)
        name = first + rng.choice(names.VILLAGE_SUFFIXES) + "村"
        if name not in used:
            used.add(name)
            result.append(name)
    return result


def seed_organizations(*, rng: random.Random) -> DemoCounty:
    """About 20 townships, 300 villages and communities, 108 county units, joint and two-new orgs."""
    demo = DemoCounty(county=None)
    b = _Builder(rng, demo)
    county = b.org(
        None,
        COUNTY_CODE,
        "中共示范县委员会",
        OrgType.COUNTY_COMMITTEE,
        UnitCategory.COUNTY,
        division_code=COUNTY_DIVISION,
        short_name="示范县委",
    )
    demo.county = county
    used: set[str] = set()
    communities = itertools.chain(
        names.COMMUNITY_NAMES, (p + s for s in "苑城园湖" for p in names.NATURE_PREFIXES)
    )
    village_counts = [15] * 20
    for _ in range(5):
        village_counts[rng.randrange(20)] += 1
        village_counts[rng.randrange(20)] -= 1
    for t, ((town_name, category), count) in enumerate(
        zip(names.TOWNSHIPS, village_counts, strict=True), start=1
    ):
        kind = "街道党工委" if category == "subdistrict" else "党委"
        town = b.org(
            county,
            f"{COUNTY_CODE}-T{t:02d}",
            f"中共示范县{town_name}{kind}",
            OrgType.WORKING_COMMITTEE if category == "subdistrict" else OrgType.COMMITTEE,
            category,
        )
        demo.townships.append(town)
        branches = []
        is_street = category == "subdistrict"
        labels = (
            [next(communities) + "社区" for _ in range(count)]
            if is_street
            else _village_names(rng, count, used)
        )
        for v, label in enumerate(labels, start=1):
            code = f"{COUNTY_CODE}-T{t:02d}-V{v:03d}"
            unit = UnitCategory.COMMUNITY if is_street else UnitCategory.VILLAGE
            big = rng.random() < 0.12
            if big:
                general = b.org(town, code, f"{label}党总支", OrgType.GENERAL_BRANCH, unit)
                for k in range(1, rng.randint(2, 4) + 1):
                    branches.append(
                        b.org(
                            general,
                            f"{code}-B{k}",
                            f"{label}第{'一二三四'[k - 1]}党支部",
                            OrgType.BRANCH,
                            unit,
                        )
                    )
            else:
                branches.append(b.org(town, code, f"{label}党支部", OrgType.BRANCH, unit))
        demo.villages[town.pk] = branches
        if not is_street and t % 4 == 0:
            firm = rng.choice(names.FIRM_WORDS) + rng.choice(names.FIRM_KINDS)
            b.org(
                town,
                f"{COUNTY_CODE}-T{t:02d}-F1",
                f"{town_name}{firm}党支部",
                OrgType.BRANCH,
                UnitCategory.PRIVATE_FIRM,
            )

    organs = b.org(
        county,
        f"{COUNTY_CODE}-JG",
        "中共示范县直属机关工作委员会",
        OrgType.WORKING_COMMITTEE,
        UnitCategory.GOVERNMENT,
    )
    units = list(names.COUNTY_UNITS)
    n = 1
    while len(units) < 108:
        units.append(
            (
                f"县第{chinese_number((n + 1) // 2)}{names.SCHOOL_KINDS[(n - 1) % 2]}",
                "public_institution",
            )
        )
        n += 1
    for u, (unit_name, category) in enumerate(units, start=1):
        org_type = (
            OrgType.COMMITTEE
            if unit_name in ("县公安局", "县人民医院", "县教育局")
            else OrgType.BRANCH
        )
        suffix = "委员会" if org_type == OrgType.COMMITTEE else "支部委员会"
        b.org(
            organs,
            f"{COUNTY_CODE}-U{u:03d}",
            f"中共{'示范' + unit_name if unit_name.startswith('县') else unit_name}{suffix}",
            org_type,
            category,
        )
    joint_sizes = [11, 10, 10, 10, 10]
    for j, size in enumerate(joint_sizes, start=1):
        general = b.org(
            organs,
            f"{COUNTY_CODE}-J{j}",
            f"县直第{'一二三四五'[j - 1]}联合党总支",
            OrgType.JOINT_GENERAL_BRANCH,
            UnitCategory.GOVERNMENT,
        )
        for k in range(1, size + 1):
            b.org(
                general,
                f"{COUNTY_CODE}-J{j}-B{k:02d}",
                f"县直第{'一二三四五'[j - 1]}联合党总支第{k}联合党支部",
                OrgType.JOINT_BRANCH,
                UnitCategory.GOVERNMENT,
            )
    two_new = b.org(
        county,
        f"{COUNTY_CODE}-LX",
        "中共示范县非公有制经济组织和社会组织委员会",
        OrgType.COMMITTEE,
        UnitCategory.OTHER,
    )
    firms: set[str] = set()
    while len(firms) < 24:
        firms.add("示范县" + rng.choice(names.FIRM_WORDS) + rng.choice(names.FIRM_KINDS))
    for f, firm in enumerate(sorted(firms), start=1):
        b.org(
            two_new,
            f"{COUNTY_CODE}-LX-F{f:02d}",
            f"{firm}党支部",
            OrgType.BRANCH,
            UnitCategory.PRIVATE_FIRM,
        )
    for s, social in enumerate(names.SOCIAL_ORGS, start=1):
        b.org(
            two_new,
            f"{COUNTY_CODE}-LX-S{s:02d}",
            f"{social}党支部",
            OrgType.BRANCH,
            UnitCategory.SOCIAL_ORG,
        )
    b.org(
        two_new,
        f"{COUNTY_CODE}-LX-J1",
        "城区商圈联合党委",
        OrgType.JOINT_COMMITTEE,
        UnitCategory.PRIVATE_FIRM,
    )
    return demo


DEMO_ACCOUNTS = [
    ("county_admin", "县委组织部 张明", Role.COUNTY_STAFF),
    ("county_reviewer", "县委组织部 审核 周敏", Role.COUNTY_STAFF),
    ("township1", "城关镇组织委员 李华", Role.TOWNSHIP_STAFF),
    ("township2", "城郊乡组织委员 王芳", Role.TOWNSHIP_STAFF),
    ("branch1", "村党支部书记 赵强", Role.BRANCH_SECRETARY),
    ("judge1", "评委 陈静", Role.JUDGE),
    ("judge2", "评委 周涛", Role.JUDGE),
    ("judge3", "评委 吴丽", Role.JUDGE),
    ("judge4", "评委 郑斌", Role.JUDGE),
    ("judge5", "评委 孙悦", Role.JUDGE),
    ("judge6", "评委 马骏", Role.JUDGE),
    ("judge7", "评委 朱红", Role.JUDGE),
    ("sysadmin", "系统管理员 刘伟", Role.SYSTEM_ADMIN),
    ("auditor", "审计管理员 杨敏", Role.AUDIT_ADMIN),
]


def seed_accounts(*, demo: DemoCounty, password: str) -> list[tuple[str, str, str]]:
    """The demo logins: (username, full name, where they stand)."""
    town1, town2 = demo.townships[0], demo.townships[1]
    branch = demo.villages[town1.pk][0]
    where = {
        "county_admin": demo.county,
        "county_reviewer": demo.county,
        "township1": town1,
        "township2": town2,
        "branch1": branch,
        **{f"judge{i}": demo.county for i in range(1, 8)},
        "sysadmin": demo.county,
        "auditor": demo.county,
    }
    rows = []
    for username, full_name, role in DEMO_ACCOUNTS:
        user_upsert(
            username=username,
            password=password,
            full_name=full_name,
            roles=[(role, where[username])],
        )
        rows.append((username, full_name, f"{Role(role).label} · {where[username].name}"))
    return rows


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


EDUCATION_RURAL = [("38", 40), ("37", 25), ("39", 15), ("31", 12), ("21", 8)]
EDUCATION_UNIT = [("21", 60), ("31", 20), ("11", 15), ("37", 5)]
ETHNICITY = [("01", 960), ("03", 20), ("02", 5), ("11", 10), ("06", 5)]
UNIT_CATEGORY_TO_MEMBER = {
    UnitCategory.VILLAGE: "farmer",
    UnitCategory.COMMUNITY: "other",
    UnitCategory.GOVERNMENT: "civil_servant",
    UnitCategory.PUBLIC_INSTITUTION: "professional",
    UnitCategory.STATE_ENTERPRISE: "manager",
    UnitCategory.PRIVATE_FIRM: "worker",
    UnitCategory.SOCIAL_ORG: "other",
}


def _member_count(rng: random.Random, org: Organization) -> int:
    roll = rng.random()
    if roll < 0.03:
        return 2  # too few full members: the health check flags these
    if roll < 0.07:
        return rng.randint(52, 70)  # more than 50: a general branch is expected
    if org.unit_category in (UnitCategory.VILLAGE, UnitCategory.COMMUNITY):
        return rng.randint(18, 48)
    if org.org_type == OrgType.JOINT_BRANCH:
        return rng.randint(6, 16)
    return rng.randint(5, 40)


def seed_members(*, rng: random.Random, target: int = 16_000) -> int:
    """About 16,000 members with valid ID numbers and realistic ages, education and
    ethnicity. Returns how many were created (0 when they exist already)."""
    from zuzhi.core.idnumber import check_char
    from zuzhi.members.models import Member
    from zuzhi.members.services import member_bulk_create

    branches = list(
        Organization.objects.filter(
            code__startswith=COUNTY_CODE, org_type__in=[OrgType.BRANCH, OrgType.JOINT_BRANCH]
        ).order_by("code")
    )
    drafts = [(org, _member_count(rng, org)) for org in branches]
    scale = target / sum(n for _, n in drafts)
    plan = [(org, max(2, round(n * scale)) if n > 2 else n) for org, n in drafts]
    used: set[str] = set()
    rows = []
    for org, count in plan:
        rural = org.unit_category in (UnitCategory.VILLAGE, UnitCategory.COMMUNITY)
        for _ in range(count):
            age = _weighted(
                rng,
                [
                    (rng.randint(22, 35), 15),
                    (rng.randint(36, 50), 25),
                    (rng.randint(51, 65), 30),
                    (rng.randint(66, 90), 30),
                ],
            )
            born = datetime.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
            male = rng.random() < 0.75
            while True:
                sequence = rng.randrange(0, 1000, 2) + (1 if male else 0)
                first17 = f"{COUNTY_DIVISION}{born:%Y%m%d}{sequence:03d}"
                number = first17 + check_char(first17)
                if number not in used:
                    used.add(number)
                    break
            probationary = rng.random() < 0.03 and age >= 20
            if probationary:
                joined = TODAY - datetime.timedelta(days=rng.randint(30, 330))
            else:
                earliest = add_years(born, 18)
                span = max(1, (TODAY - datetime.timedelta(days=400) - earliest).days)
                joined = earliest + datetime.timedelta(
                    days=min(span, int(rng.expovariate(1 / 3000)))
                )
            category = UNIT_CATEGORY_TO_MEMBER.get(org.unit_category, "other")
            if age >= 60 and not rural and rng.random() < 0.8:
                category = "retired"
            rows.append(
                (
                    org,
                    {
                        "name": person_name(rng),
                        "id_number": number,
                        "ethnicity": _weighted(rng, ETHNICITY),
                        "education": _weighted(rng, EDUCATION_RURAL if rural else EDUCATION_UNIT),
                        "join_date": joined,
                        "full_date": None if probationary else add_years(joined, 1),
                        "status": "probationary" if probationary else "full",
                        "category": category,
                        "phone": mobile(rng),
                        "work_unit": ""
                        if rural
                        else org.name.removeprefix("中共").removesuffix("支部委员会"),
                    },
                )
            )
    existing = set(
        Member.objects.filter(id_number__in=list(used)).values_list("id_number", flat=True)
    )
    missing = [row for row in rows if row[1]["id_number"] not in existing]
    for start in range(0, len(missing), 4000):
        member_bulk_create(actor=SYSTEM, rows=missing[start : start + 4000])
    return len(missing)
