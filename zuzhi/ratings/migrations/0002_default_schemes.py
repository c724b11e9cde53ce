"""The four star schemes of the sources, as data. The five stars and the three zeros are named
by the Henan documents; the ten stars of members and branches are not, and the names here are
a sensible default that a county renames on the scheme's settings page."""

from decimal import Decimal

from django.db import migrations

SCHEMES = [
    {
        "code": "five-star-branch",
        "name": "五星支部",
        "full_title": "五星支部",
        "subject_kind": "village",
        "period_kind": "year",
        "description": "村（社区）党组织创建五星支部：五颗星逐项评定，星级为所得星数，每年动态升降。",
        "stars": ["支部过硬", "产业兴旺", "生态宜居", "平安法治", "文明幸福"],
        "quotas": {5: "0.10", 4: "0.40", 3: "0.30"},
    },
    {
        "code": "three-zero",
        "name": "三零村（社区）",
        "full_title": "三零村",
        "subject_kind": "village",
        "period_kind": "year",
        "description": "零上访（矛盾纠纷就地化解）、零事故（无伤亡安全事故）、零案件（无刑事案件和重大治安案件）。",
        "stars": ["零上访", "零事故", "零案件"],
        "quotas": {},
    },
    {
        "code": "ten-star-member",
        "name": "十星级党员",
        "full_title": "十星级党员",
        "subject_kind": "member",
        "period_kind": "year",
        "description": "党员十星级评定，星名可由县委组织部修改。",
        "stars": [
            "政治坚定",
            "学习先进",
            "遵纪守法",
            "爱岗敬业",
            "带头致富",
            "服务群众",
            "热心公益",
            "团结和谐",
            "移风易俗",
            "廉洁自律",
        ],
        "quotas": {},
    },
    {
        "code": "ten-star-branch",
        "name": "十星级党支部",
        "full_title": "十星级党支部",
        "subject_kind": "branch",
        "period_kind": "year",
        "description": "党支部十星级评定，星名可由县委组织部修改。",
        "stars": [
            "班子坚强",
            "队伍过硬",
            "制度健全",
            "活动经常",
            "阵地规范",
            "发展有力",
            "服务到位",
            "治理有效",
            "作风优良",
            "群众满意",
        ],
        "quotas": {},
    },
]


def add_schemes(apps, schema_editor):
    StarScheme = apps.get_model("ratings", "StarScheme")
    Star = apps.get_model("ratings", "Star")
    StarQuota = apps.get_model("ratings", "StarQuota")
    for order, data in enumerate(SCHEMES, start=1):
        if StarScheme.objects.filter(code=data["code"]).exists():
            continue
        scheme = StarScheme.objects.create(
            code=data["code"],
            name=data["name"],
            full_title=data["full_title"],
            subject_kind=data["subject_kind"],
            period_kind=data["period_kind"],
            description=data["description"],
            sort_order=order,
        )
        Star.objects.bulk_create(
            Star(scheme=scheme, name=name, position=i)
            for i, name in enumerate(data["stars"], start=1)
        )
        StarQuota.objects.bulk_create(
            StarQuota(scheme=scheme, level=level, max_share=Decimal(share))
            for level, share in data["quotas"].items()
        )


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(add_schemes, migrations.RunPython.noop)]
