"""Demo talent registry (人才库, the seeds' 淮源英才计划): the default titles, about 300
talents (12 provincial and 29 city titles as in seed 000, county 拔尖人才 and 回创之星, 90
young graduates who came from 2023 on, two of whom left in 2026), 20 platforms with their
people, a year of care events (most high-level talents visited, some not yet), the office's
account `talent_officer` and a young graduate's own account `talent1`."""

import datetime
import random

from zuzhi.accounts.services import user_upsert
from zuzhi.core.crypto import blind_index
from zuzhi.core.idnumber import birth_date, check_char, gender_code
from zuzhi.core.roles import Role
from zuzhi.core.text import initials_index
from zuzhi.talent import services
from zuzhi.talent.models import (
    CareKind,
    Degree,
    PlatformKind,
    PlatformRole,
    Talent,
    TalentTitle,
    TitleLevel,
)

from .seeding import TODAY, mobile, person_name

DIVISION = "411330"
INDUSTRIES = ["氯碱化工", "医药中间体", "新材料", "绿色食品", "电子信息", "现代农业", "文化旅游"]
EMPLOYERS = {
    "氯碱化工": ["桐源化工股份有限公司", "淮源氯碱有限公司", "盘古化学有限公司"],
    "医药中间体": ["恒达医药化工有限公司", "金源生物医药有限公司"],
    "新材料": ["宏远新材料有限公司", "鑫盛高分子材料有限公司", "华宇新材料科技有限公司"],
    "绿色食品": ["桐山食品有限公司", "淮源茶业有限公司"],
    "电子信息": ["华宇电子科技有限公司", "桐柏智能装备有限公司"],
    "现代农业": ["淮源农业科技有限公司", "红叶中药材种植合作社"],
    "文化旅游": ["桐柏山文化旅游有限公司"],
}
SCHOOLS = ["郑州大学", "河南大学", "南阳师范学院", "河南理工大学", "华中科技大学", "武汉大学"]
MAJORS = {
    "氯碱化工": "化学工程与工艺",
    "医药中间体": "制药工程",
    "新材料": "材料科学与工程",
    "绿色食品": "食品科学与工程",
    "电子信息": "电子信息工程",
    "现代农业": "农学",
    "文化旅游": "旅游管理",
}
# (title, how many) beside the 90 young graduates; the rest hold no title yet.
TITLED = [
    ("中原创业领军人才", 7),
    ("河南省返乡创业之星", 5),
    ("市产业创新人才", 29),
    ("拔尖人才", 40),
    ("回创之星", 30),
]
GRADUATES, UNTITLED = 90, 99
LEFT_ON = (datetime.date(2026, 3, 14), datetime.date(2026, 8, 31))  # two graduates left
PLATFORMS = [
    ("桐柏县氯碱化工院士工作站", PlatformKind.ACADEMICIAN, TitleLevel.PROVINCIAL, "氯碱化工"),
    ("桐柏县新材料院士工作站", PlatformKind.ACADEMICIAN, TitleLevel.PROVINCIAL, "新材料"),
    *[
        (f"{industry}专家工作站", PlatformKind.EXPERT, TitleLevel.CITY, industry)
        for industry in INDUSTRIES[:5]
    ],
    *[
        (f"{employer}工程技术研究中心", PlatformKind.ENGINEERING, TitleLevel.PROVINCIAL, industry)
        for industry, employers in EMPLOYERS.items()
        for employer in employers[:2]
    ],
]


def _id_number(rng: random.Random, birth: datetime.date, used: set[str]) -> str:
    """A new number; `used` holds the blind indexes of those taken (numbers are encrypted)."""
    while True:
        first17 = f"{DIVISION}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = first17 + check_char(first17)
        key = blind_index("id_number", number)
        if key not in used:
            used.add(key)
            return number


def _talent(rng, county, used, *, title, degree, arrived, age) -> Talent:
    industry = rng.choice(INDUSTRIES)
    birth = datetime.date(TODAY.year - age, rng.randint(1, 12), rng.randint(1, 28))
    number = _id_number(rng, birth, used)
    name = person_name(rng)
    return Talent(
        county=county,
        id_number=number,
        name=name,
        name_initials=initials_index(name),
        gender=gender_code(number),
        birth_date=birth_date(number),
        phone=mobile(rng),
        degree=degree,
        school=rng.choice(SCHOOLS),
        major=MAJORS[industry],
        field=MAJORS[industry],
        employer=rng.choice(EMPLOYERS[industry]),
        industry=industry,
        position=rng.choice(
            ["技术总监", "研发工程师", "总经理", "车间主任", "技术员", "高级工程师"]
        ),
        title=title,
        arrived_on=arrived,
    )


def _talents(rng: random.Random, county) -> list[Talent]:
    titles = {t.name: t for t in TalentTitle.objects.filter(county=county)}
    used = set(Talent.objects.filter(county=county).values_list("id_number_index", flat=True))
    rows = []
    for name, count in TITLED:
        for _ in range(count):
            arrived = TODAY - datetime.timedelta(days=rng.randint(400, 5000))
            degree = rng.choice([Degree.DOCTOR, Degree.MASTER, Degree.MASTER, Degree.BACHELOR])
            rows.append(
                _talent(
                    rng,
                    county,
                    used,
                    title=titles[name],
                    degree=degree,
                    arrived=arrived,
                    age=rng.randint(30, 58),
                )
            )
    first, last = datetime.date(2023, 7, 1), datetime.date(2026, 9, 1)
    for _ in range(GRADUATES):
        arrived = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
        degree = rng.choices([Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR], [1, 4, 10])[0]
        age = {Degree.DOCTOR: 30, Degree.MASTER: 26, Degree.BACHELOR: 23}[degree]
        rows.append(
            _talent(
                rng,
                county,
                used,
                title=titles["青年人才"],
                degree=degree,
                arrived=arrived,
                age=age + (TODAY - arrived).days // 365,
            )
        )
    for _ in range(UNTITLED):
        arrived = TODAY - datetime.timedelta(days=rng.randint(200, 4000))
        rows.append(
            _talent(
                rng,
                county,
                used,
                title=None,
                degree=rng.choice(Degree.values),
                arrived=arrived,
                age=rng.randint(25, 55),
            )
        )
    return Talent.objects.bulk_create(rows, batch_size=500)


def _platforms(rng: random.Random, county, officer) -> int:
    people = 0
    for name, kind, level, industry in PLATFORMS:
        platform = services.platform_save(
            actor=officer,
            county=county,
            data={
                "name": name,
                "kind": kind,
                "level": level,
                "host": EMPLOYERS[industry][0],
                "established_on": datetime.date(rng.randint(2016, 2025), rng.randint(1, 12), 1),
            },
        )
        if kind == PlatformKind.ACADEMICIAN:
            services.platform_person_add(
                actor=officer,
                platform=platform,
                role=PlatformRole.ADVISER,
                name=person_name(rng) + "院士",
                affiliation=rng.choice(["中国科学院", "中国工程院"]),
            )
        staff = list(
            Talent.objects.filter(county=county, industry=industry).exclude(title=None)[:4]
        )
        for i, talent in enumerate(staff):
            services.platform_person_add(
                actor=officer,
                platform=platform,
                role=PlatformRole.LEAD if i == 0 else PlatformRole.MEMBER,
                talent=talent,
            )
            people += 1
    return people


def _care(rng: random.Random, county, officer) -> int:
    high = list(Talent.objects.filter(county=county, title__high_level=True).order_by("pk"))
    everyone = list(Talent.objects.filter(county=county).order_by("pk"))
    year = TODAY.year
    events = [
        (
            CareKind.HEALTH_CHECK,
            "2026年度人才健康体检",
            datetime.date(year, 4, 18),
            rng.sample(everyone, 120),
        ),
        (CareKind.TRAINING, "高层次人才研修班", datetime.date(year, 6, 12), rng.sample(high, 40)),
        (
            CareKind.GATHERING,
            "人才联谊交流会",
            datetime.date(year, 9, 20),
            rng.sample(everyone, 80),
        ),
        *[
            (
                CareKind.BREAKFAST,
                f"{month}月畅聊早餐会",
                datetime.date(year, month, 8),
                rng.sample(high, 8),
            )
            for month in range(1, TODAY.month + 1)
        ],
    ]
    # Visits in small groups through the year: nine in ten high-level talents visited so far.
    visited = high[: len(high) * 9 // 10]
    for start in range(0, len(visited), 6):
        day = datetime.date(year, 1, 10) + datetime.timedelta(days=start * 2)
        events.append(
            (
                CareKind.VISIT,
                f"县领导走访慰问人才（{day:%m月%d日}）",
                day,
                visited[start : start + 6],
            )
        )
    for kind, title, day, talents in events:
        services.care_event_save(
            actor=officer,
            county=county,
            data={"kind": kind, "title": title, "held_on": day, "hosts": "县委常委、组织部长"},
            talents=talents,
        )
    return len(events)


def seed_talent(*, demo, rng: random.Random, password: str) -> tuple[int, list]:
    """Returns (talents added, the logins to print). A second run adds nothing."""
    county = demo.county
    officer = user_upsert(
        username="talent_officer",
        password=password,
        full_name="县委组织部人才办 赵文博",
        roles=[(Role.TALENT_STAFF, county)],
    )
    added = 0
    if not Talent.objects.filter(county=county).exists():
        services.titles_load_defaults(actor=officer, county=county)
        added = len(_talents(rng, county))
        graduates = list(
            Talent.objects.filter(
                county=county, title__name="青年人才", arrived_on__year__lt=2026
            ).order_by("pk")[:2]
        )
        for talent, left in zip(graduates, LEFT_ON, strict=True):
            services.talent_leave(actor=officer, talent=talent, left_on=left, note="赴外地工作")
        _platforms(rng, county, officer)
        _care(rng, county, officer)
    # A young graduate of 2024: their own record, subsidy lines and flat (seeded after this).
    own = (
        Talent.objects.filter(user__username="talent1").first()
        or Talent.objects.filter(
            county=county, title__name="青年人才", arrived_on__year=2024, status="in_county"
        )
        .order_by("pk")
        .first()
    )
    account = user_upsert(username="talent1", password=password, full_name=own.name, roles=[])
    if own.user_id != account.pk:
        services.talent_account_link(actor=officer, talent=own, username=account.username)
    return added, [
        ("talent_officer", officer.full_name, "县委组织部人才办"),
        ("talent1", own.name, f"人才本人账号 · 青年人才 · {own.employer}"),
    ]
