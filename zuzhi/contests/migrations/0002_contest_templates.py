"""Contest templates for the tracks of DOMAIN.md §2, ready to copy (考评模板)."""

from decimal import Decimal

from django.db import migrations


def ind(name, weight, **extra):
    return {"name": name, "weight": weight, **extra}


TEMPLATES = [
    {
        "name": "村级十强·初评（综合指标）",
        "track": "village",
        "description": "四项加权指标（党建、产业、集体经济、人居环境），数据由乡镇录入或导入，前 30 名进入擂台赛。",
        "top_n": 30,
        "stages": [
            {
                "kind": "indicators",
                "name": "综合指标",
                "weight": 100,
                "indicators": [
                    ind("党建引领", 25, method="raw", cap=100),
                    ind("产业发展", 25),
                    ind("村集体经济收入", 25, unit="万元"),
                    ind("人居环境", 25, method="raw", cap=100),
                ],
            }
        ],
    },
    {
        "name": "村级十强·擂台赛（评委 70% + 群众投票 30%）",
        "track": "village",
        "description": "7 名评委现场打分，去掉一个最高分和一个最低分后平均；群众投票一周，按名次折分（第一名 30 分，依次递减 1 分）。",
        "top_n": 10,
        "stages": [
            {
                "kind": "judges",
                "name": "擂台比武",
                "weight": 70,
                "aggregation": "trimmed",
                "trim_on": "total",
                "criteria": [("发展思路", 40), ("工作实绩", 40), ("现场表现", 20)],
            },
            {
                "kind": "public_vote",
                "name": "群众投票",
                "weight": 30,
                "vote_method": "rank",
                "rank_points": 30,
                "votes_per_day": 1,
            },
        ],
    },
    {
        "name": "乡镇夺杯",
        "track": "township",
        "description": "党建工作、招商引资、生态环保、财政收入四项指标，加公开汇报和评审团评议。",
        "top_n": 3,
        "stages": [
            {
                "kind": "indicators",
                "name": "工作指标",
                "weight": 60,
                "indicators": [
                    ind("党建工作", 30, method="raw", cap=100),
                    ind("招商引资", 30, unit="万元"),
                    ind("生态环保", 20, method="raw", cap=100),
                    ind("财政收入", 20, method="target", target=1000, cap=120, unit="万元"),
                ],
            },
            {"kind": "public_report", "name": "公开汇报", "weight": 20},
            {
                "kind": "judges",
                "name": "评审团评议",
                "weight": 20,
                "aggregation": "trimmed",
                "trim_on": "criterion",
                "criteria": [("工作成效", 50), ("创新亮点", 30), ("汇报质量", 20)],
            },
        ],
    },
    {
        "name": "县直争先",
        "track": "county_unit",
        "description": "营商环境和中心工作指标，加服务对象、县级领导、乡镇三方加权民主测评（群众认可度）。",
        "top_n": 10,
        "stages": [
            {
                "kind": "indicators",
                "name": "工作指标",
                "weight": 50,
                "indicators": [
                    ind("营商环境", 40, method="raw", cap=100),
                    ind("中心工作", 60, method="raw", cap=100),
                ],
            },
            {
                "kind": "appraisal",
                "name": "群众认可度测评",
                "weight": 50,
                "rater_groups": [("服务对象", 40), ("县级领导", 30), ("乡镇（街道）", 30)],
            },
        ],
    },
    {
        "name": "老干部驻村",
        "track": "retired_cadre",
        "description": "驻村老干部公开汇报履职情况，评委评议。",
        "stages": [
            {"kind": "public_report", "name": "履职汇报", "weight": 40},
            {
                "kind": "judges",
                "name": "评委评议",
                "weight": 60,
                "aggregation": "trimmed",
                "criteria": [("履职实效", 60), ("群众评价", 40)],
            },
        ],
    },
    {
        "name": "最美共产党员",
        "track": "member",
        "description": "事迹公开展示，群众投票（按得票占比）加评委评审（爱岗敬业、服务群众、无私奉献、品德高尚）。",
        "top_n": 10,
        "stages": [
            {
                "kind": "judges",
                "name": "评委评审",
                "weight": 60,
                "aggregation": "trimmed",
                "criteria": [
                    ("爱岗敬业", 25),
                    ("服务群众", 25),
                    ("无私奉献", 25),
                    ("品德高尚", 25),
                ],
            },
            {
                "kind": "public_vote",
                "name": "群众投票",
                "weight": 40,
                "vote_method": "share",
                "votes_per_day": 3,
                "votes_per_entrant": 1,
            },
        ],
    },
    {
        "name": "季度综合指数（红黑榜）",
        "track": "village",
        "description": "综合指标 + 专项工作 + 加减分项，按季度晾晒，前 5 名上红榜，后 5 名上黑榜并督办。",
        "red_list_size": 5,
        "black_list_size": 5,
        "tiers": [
            {"name": "好", "min": "90"},
            {"name": "较好", "min": "80"},
            {"name": "一般", "min": "60"},
            {"name": "差", "min": "0"},
        ],
        "stages": [
            {
                "kind": "indicators",
                "name": "综合指数",
                "weight": 100,
                "indicators": [
                    ind(
                        "综合指标",
                        60,
                        children=[
                            ind("基层党建", 50, method="raw", cap=100),
                            ind("经济发展", 50, method="raw", cap=100),
                        ],
                    ),
                    ind("专项工作", 40, method="raw", cap=100),
                ],
            }
        ],
    },
]


def create_indicators(Indicator, stage, specs, parent):
    for order, spec in enumerate(specs):
        node = Indicator.objects.create(
            stage=stage,
            parent=parent,
            name=spec["name"],
            weight=Decimal(spec["weight"]),
            method=spec.get("method", "minmax"),
            target=spec.get("target"),
            cap=spec.get("cap"),
            unit=spec.get("unit", ""),
            order=order,
        )
        create_indicators(Indicator, stage, spec.get("children", []), node)


def forwards(apps, schema_editor):
    Contest = apps.get_model("contests", "Contest")
    Stage = apps.get_model("contests", "Stage")
    Criterion = apps.get_model("contests", "Criterion")
    RaterGroup = apps.get_model("contests", "RaterGroup")
    Indicator = apps.get_model("contests", "Indicator")
    for spec in TEMPLATES:
        contest = Contest.objects.create(
            is_template=True,
            name=spec["name"],
            track=spec["track"],
            period_label="模板",
            description=spec["description"],
            top_n=spec.get("top_n"),
            red_list_size=spec.get("red_list_size", 0),
            black_list_size=spec.get("black_list_size", 0),
            tiers=spec.get("tiers", []),
        )
        for order, stage_spec in enumerate(spec["stages"]):
            fields = {
                k: v
                for k, v in stage_spec.items()
                if k not in ("criteria", "rater_groups", "indicators")
            }
            stage = Stage.objects.create(contest=contest, order=order, **fields)
            for i, (name, score) in enumerate(stage_spec.get("criteria", [])):
                Criterion.objects.create(stage=stage, name=name, max_score=score, order=i)
            for i, (name, weight) in enumerate(stage_spec.get("rater_groups", [])):
                RaterGroup.objects.create(stage=stage, name=name, weight=weight, order=i)
            create_indicators(Indicator, stage, stage_spec.get("indicators", []), None)


def backwards(apps, schema_editor):
    apps.get_model("contests", "Contest").objects.filter(is_template=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contests", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
