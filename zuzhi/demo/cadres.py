"""Cadres of the demo county 示范县 (#13): every township's committee and government leaders
and the leaders of the county units, with careers, families, assessments and photos, written
through the registry's services so the demo is audited like real work. Rerunning adds nobody
twice (ID numbers are drawn from the seed)."""

import datetime
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from zuzhi.accounts.services import user_upsert
from zuzhi.cadres import services
from zuzhi.cadres.models import AssessmentResult, Cadre, LeadershipLevel
from zuzhi.core.crypto import blind_index
from zuzhi.core.idnumber import check_char
from zuzhi.core.roles import Role
from zuzhi.core.scope import SYSTEM
from zuzhi.orgs.models import Organization, OrgType, UnitCategory

from .seeding import COUNTY_CODE, TODAY, person_name

DIVISION = "411330"
CHIEF, DEPUTY = LeadershipLevel.TOWNSHIP_CHIEF, LeadershipLevel.TOWNSHIP_DEPUTY
# Posts of a township's two teams; the head of government is also the committee's deputy
# secretary, so he is one person with one record.
TOWNSHIP_POSTS = [
    ("党委书记", CHIEF),
    ("党委副书记、{head}", CHIEF),
    ("党委副书记", DEPUTY),
    ("党委委员、纪委书记", DEPUTY),
    ("党委委员、组织委员", DEPUTY),
    ("党委委员、宣传委员", DEPUTY),
    ("党委委员、政法委员", DEPUTY),
    ("党委委员、武装部长", DEPUTY),
    ("党委委员、统战委员", DEPUTY),
    ("副{head}", DEPUTY),
    ("副{head}", DEPUTY),
    ("副{head}", DEPUTY),
]
UNIT_POSTS = [("党组书记、{head}", CHIEF), ("党组成员、副{head}", DEPUTY), ("副{head}", DEPUTY)]
UNIT_LEADERS = 4
UNITS_WITH_CADRES = 54
SCHOOLS = [
    ("大学", "法学学士", "郑州大学法学专业"),
    ("大学", "管理学学士", "河南大学行政管理专业"),
    ("大学", "农学学士", "河南农业大学农学专业"),
    ("大学", "经济学学士", "河南财经政法大学经济学专业"),
    ("研究生", "管理学硕士", "郑州大学公共管理专业"),
    ("大专", "", "南阳师范学院汉语言文学专业"),
]
SPECIALTIES = ["熟悉经济", "懂法律", "熟悉党建", "熟悉农业农村", "熟悉城市管理", "熟悉信访", ""]


@dataclass
class CadreSeed:
    organization: Organization
    unit_name: str
    post: str
    level: str


def _id_number(rng: random.Random, birth: datetime.date, female: bool, used: set[str]) -> str:
    """A new number; `used` holds the blind indexes of those taken (numbers are encrypted)."""
    while True:
        sequence = rng.randrange(0, 999)
        sequence += (sequence % 2) != (0 if female else 1)
        first17 = f"{DIVISION}{birth:%Y%m%d}{sequence % 1000:03d}"
        number = first17 + check_char(first17)
        key = blind_index("id_number", number)
        if key not in used:
            used.add(key)
            return number


def _photo(rng: random.Random) -> bytes:
    """A passport-style placeholder portrait (105 × 140): a grey head and shoulders."""
    image = Image.new("RGB", (105, 140), (rng.randint(60, 90), rng.randint(110, 150), 200))
    draw = ImageDraw.Draw(image)
    tone = rng.randint(150, 200)
    draw.ellipse((30, 22, 75, 75), fill=(tone, tone, tone))
    draw.rounded_rectangle((10, 82, 95, 160), radius=30, fill=(35, 35, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _career(rng, birth: datetime.date, school: str, unit: str, post: str) -> list[dict]:
    start = datetime.date(birth.year + 18, 9, 1)
    graduated = datetime.date(birth.year + (25 if "研究生" in school else 22), 7, 1)
    rows = [
        {"start": f"{start:%Y.%m}", "end": f"{graduated:%Y.%m}", "unit": school, "post": "学习"}
    ]
    at = graduated
    steps = [
        ("示范县" + rng.choice(["城郊乡", "月河镇", "吴城镇", "固县镇"]) + "人民政府", "科员"),
        ("示范县" + rng.choice(["农业农村局", "财政局", "发展和改革委员会"]), "副股长"),
        ("示范县" + rng.choice(["毛集镇", "大河镇", "平氏镇"]), "党委委员、副镇长"),
    ]
    for place, title in steps[: rng.randint(1, 3)]:
        leave = min(at + datetime.timedelta(days=rng.randint(900, 2600)), TODAY)
        if leave >= TODAY - datetime.timedelta(days=400):
            break
        rows.append({"start": f"{at:%Y.%m}", "end": f"{leave:%Y.%m}", "unit": place, "post": title})
        at = leave
    rows.append({"start": f"{at:%Y.%m}", "end": "", "unit": unit, "post": post})
    return rows


def _family(rng, birth: datetime.date, female: bool) -> list[dict]:
    spouse_birth = birth.year + rng.randint(-3, 3)
    child = rng.choice(["儿子", "女儿"])
    return [
        {
            "relation": "丈夫" if female else "妻子",
            "name": person_name(rng),
            "birth": f"{spouse_birth}.{rng.randint(1, 12):02d}",
            "political_status": rng.choice(["中共党员", "群众"]),
            "work_and_post": rng.choice(["示范县第一小学教师", "示范县人民医院护士", "自由职业"]),
        },
        {
            "relation": child,
            "name": person_name(rng),
            "birth": f"{birth.year + rng.randint(24, 32)}.{rng.randint(1, 12):02d}",
            "political_status": "群众",
            "work_and_post": "学生",
        },
        {
            "relation": "父亲",
            "name": person_name(rng),
            "birth": f"{birth.year - rng.randint(24, 30)}.{rng.randint(1, 12):02d}",
            "political_status": "中共党员",
            "work_and_post": "退休",
        },
    ]


def _seats(demo) -> list[CadreSeed]:
    seats = []
    for town in demo.townships:
        head = (
            "主任"
            if town.unit_category == UnitCategory.SUBDISTRICT
            else ("乡长" if town.name.endswith("乡党委") else "镇长")
        )
        place = town.name.removeprefix("中共").removesuffix("党委").removesuffix("党工委")
        for post, level in TOWNSHIP_POSTS:
            seats.append(CadreSeed(town, place, post.format(head=head), level))
    units = Organization.objects.filter(
        code__startswith=f"{COUNTY_CODE}-U", org_type__in=(OrgType.BRANCH, OrgType.COMMITTEE)
    ).order_by("code")[:UNITS_WITH_CADRES]
    for unit in units:
        place = unit.name.removeprefix("中共").removesuffix("支部委员会").removesuffix("委员会")
        head = "主任" if place.endswith(("办公室", "委员会", "办", "委")) else "局长"
        for i in range(UNIT_LEADERS):
            post, level = UNIT_POSTS[min(i, len(UNIT_POSTS) - 1)]
            seats.append(CadreSeed(unit, place, post.format(head=head), level))
    return seats


def seed_cadres(*, demo, rng: random.Random) -> int:
    """About 450 cadres; returns how many were added."""
    used = set(Cadre.objects.values_list("id_number_index", flat=True))
    seats = _seats(demo)
    # Seeded already: the seats' units hold the demo's cadres (numbers are encrypted, so they
    # are counted by unit, not by the number's division code).
    units = {seat.organization.pk for seat in seats}
    if Cadre.objects.filter(organization__in=units).count() >= 400:
        return 0
    added = 0
    for seat in seats:
        female = rng.random() < 0.22
        age = rng.choices(
            [rng.randint(28, 35), rng.randint(36, 45), rng.randint(46, 57)], [2, 5, 4]
        )[0]
        birth = datetime.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
        school, degree, major = rng.choice(SCHOOLS)
        name = person_name(rng)
        cadre = services.cadre_create(
            actor=SYSTEM,
            organization=seat.organization,
            data={
                "name": name,
                "id_number": _id_number(rng, birth, female, used),
                "ethnicity": "01" if rng.random() < 0.95 else rng.choice(["03", "11"]),
                "native_place": "河南示范",
                "birthplace": "河南示范",
                "party_joined": f"{birth.year + rng.randint(20, 26)}.{rng.randint(1, 12):02d}",
                "work_started": f"{birth.year + (25 if school == '研究生' else 22)}.07",
                "health": "健康",
                "full_time_education": school,
                "full_time_degree": degree,
                "full_time_education_school": major,
                "full_time_degree_school": major.split("大学")[0] + "大学" if degree else "",
                "specialties": rng.choice(SPECIALTIES),
                "unit_name": seat.unit_name,
                "current_post": f"{seat.unit_name}{seat.post}",
                "leadership_level": seat.level,
                "phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                "submitting_unit": "中共示范县委组织部",
                "age_reference_date": f"{TODAY:%Y.%m}",
                "filled_by": "李华",
            },
        )
        services.cadre_update(actor=SYSTEM, cadre=cadre, data={}, photo=_photo(rng))
        services.career_replace(
            actor=SYSTEM,
            cadre=cadre,
            rows=_career(
                rng,
                birth,
                major.split("专业")[0] if school != "大专" else major,
                seat.unit_name,
                seat.post,
            ),
        )
        services.family_replace(actor=SYSTEM, cadre=cadre, rows=_family(rng, birth, female))
        for year in (TODAY.year - 3, TODAY.year - 2, TODAY.year - 1):
            result = rng.choices(
                [
                    AssessmentResult.EXCELLENT,
                    AssessmentResult.COMPETENT,
                    AssessmentResult.BASICALLY,
                ],
                [2, 7, 1],
            )[0]
            services.assessment_set(actor=SYSTEM, cadre=cadre, year=year, result=result)
        added += 1
    return added


def seed_cadre_accounts(*, demo, password: str) -> list[tuple[str, str, str]]:
    """`cadre_officer` (the cadre section on the county) and `cadre1` (a deputy township head
    who logs in to see their own record)."""
    officer = user_upsert(
        username="cadre_officer",
        password=password,
        full_name="县委组织部干部科 孙立华",
        roles=[(Role.CADRE_STAFF, demo.county)],
    )
    deputy = (
        Cadre.objects.filter(organization=demo.townships[0], current_post__endswith="副镇长")
        .order_by("pk")
        .first()
    )
    rows = [(officer.username, officer.full_name, f"{Role.CADRE_STAFF.label} · {demo.county.name}")]
    if deputy is not None:
        own = user_upsert(username="cadre1", password=password, full_name=deputy.name, roles=[])
        if deputy.user_id != own.pk:
            services.cadre_account_link(actor=SYSTEM, cadre=deputy, user=own)
        rows.append((own.username, own.full_name, f"本人干部账号 · {deputy.current_post}"))
    return rows
