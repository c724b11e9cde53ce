"""Demo talent demand catalogue and open challenges (人才需求目录、揭榜挂帅): the published
2026 catalogue of about forty posts across the county's industries, and three challenges in
different states: one open for applications, one in review with two applications scored by
experts, one in progress with its milestones and a first payment. Written through the
services (the dated steps with the demo's dates); a second run adds nothing."""

import datetime
import random

from zuzhi.challenges import services as challenge_services
from zuzhi.challenges.models import Challenge
from zuzhi.core.scope import SYSTEM
from zuzhi.talent_demands import services as demand_services
from zuzhi.talent_demands.models import DemandEdition

from .seeding import TODAY

# (industry, employer, [(post, degree, major)]): the county's leading industries (seed 000).
CATALOGUE = [
    (
        "氯碱化工",
        "桐柏县海晶氯碱化工有限公司",
        [
            ("离子膜电解工艺工程师", "master", "化学工程与工艺"),
            ("安全环保总监", "bachelor", "安全工程"),
            ("DCS 自动化工程师", "bachelor", "自动化"),
            ("氯产品研发主管", "doctor", "有机化学"),
            ("设备管理工程师", "bachelor", "过程装备与控制工程"),
        ],
    ),
    (
        "氯碱化工",
        "桐柏县安棚碱业有限公司",
        [
            ("天然碱加工工艺工程师", "master", "化学工程"),
            ("分析检测主管", "bachelor", "分析化学"),
            ("节能降耗项目负责人", "master", "热能与动力工程"),
        ],
    ),
    (
        "医药中间体",
        "桐柏县华康医药化工有限公司",
        [
            ("合成研究员", "master", "药物化学"),
            ("连续流工艺工程师", "doctor", "化学工程"),
            ("质量受权人（QA）", "bachelor", "药学"),
            ("EHS 工程师", "bachelor", "环境工程"),
            ("注册申报专员", "master", "药事管理"),
        ],
    ),
    (
        "医药中间体",
        "桐柏县仁和生物科技有限公司",
        [
            ("生物发酵工程师", "master", "生物工程"),
            ("分离纯化研究员", "master", "化学工程与技术"),
            ("实验室主任", "doctor", "生物化学"),
        ],
    ),
    (
        "新材料",
        "桐柏县金源新材料股份有限公司",
        [
            ("高分子材料研发工程师", "doctor", "高分子材料与工程"),
            ("改性塑料配方工程师", "master", "材料科学与工程"),
            ("检测中心主任", "master", "材料物理"),
            ("工艺技术员", "college", "应用化工技术"),
        ],
    ),
    (
        "新材料",
        "桐柏县星宇硅材料有限公司",
        [
            ("有机硅研发工程师", "master", "有机化学"),
            ("粉体材料工程师", "bachelor", "无机非金属材料工程"),
            ("技术中心副主任", "doctor", "材料科学"),
        ],
    ),
    (
        "装备制造",
        "桐柏县宏达机械制造有限公司",
        [
            ("机械设计工程师", "bachelor", "机械设计制造及其自动化"),
            ("数控编程工程师", "college", "数控技术"),
            ("焊接工艺工程师", "bachelor", "焊接技术与工程"),
            ("智能制造项目经理", "master", "工业工程"),
        ],
    ),
    (
        "电子信息",
        "桐柏县中科电子科技有限公司",
        [
            ("嵌入式软件工程师", "bachelor", "电子信息工程"),
            ("硬件工程师", "bachelor", "通信工程"),
            ("工业互联网架构师", "master", "计算机科学与技术"),
        ],
    ),
    (
        "现代农业",
        "桐柏县淮源农业发展有限公司",
        [
            ("茶叶加工技术主管", "bachelor", "茶学"),
            ("果蔬种植技术员", "college", "园艺"),
            ("食品质量安全工程师", "bachelor", "食品科学与工程"),
            ("电商运营主管", "bachelor", "电子商务"),
        ],
    ),
    (
        "医疗卫生",
        "桐柏县人民医院",
        [
            ("心血管内科医师", "master", "内科学"),
            ("医学影像科医师", "master", "影像医学与核医学"),
            ("麻醉科医师", "master", "麻醉学"),
        ],
    ),
    (
        "文化旅游",
        "桐柏县淮源文化旅游开发有限公司",
        [
            ("旅游规划师", "master", "旅游管理"),
            ("新媒体运营主管", "bachelor", "新闻传播学"),
            ("研学课程设计师", "bachelor", "教育学"),
        ],
    ),
]

SALARY = {
    "doctor": (
        "年薪30-50万元",
        "提供人才公寓免租三年，另发安家费20万元",
        "博士每月生活补贴5000元，连续三年",
    ),
    "master": ("年薪15-25万元", "提供人才公寓免租三年", "硕士每月生活补贴3000元，连续三年"),
    "bachelor": ("年薪8-15万元", "可申请人才公寓", "本科每月生活补贴1000元，连续三年"),
    "college": ("年薪6-10万元", "提供集体宿舍", ""),
}
EXPERIENCE = ["不限", "3年以上相关工作经验", "5年以上相关工作经验", "应届毕业生亦可"]


def _catalogue(rng: random.Random, county) -> int:
    if DemandEdition.objects.filter(county=county, year=2026).exists():
        return 0
    edition = demand_services.edition_create(
        actor=SYSTEM,
        county=county,
        data={
            "year": 2026,
            "title": "桐柏县2026年度高层次人才需求目录",
            "intro": "实施“淮源英才计划”，面向海内外引进急需紧缺人才。"
            "入选人员按规定享受生活补贴、人才公寓等待遇。报名请直接联系用人单位，"
            "或联系县委组织部人才办。",
        },
    )
    rows = []
    for order, (industry, employer, posts) in enumerate(CATALOGUE):
        for post, degree, major in posts:
            salary, housing, subsidies = SALARY[degree]
            rows.append(
                {
                    "industry": industry,
                    "employer": employer,
                    "post": post,
                    "number": rng.choice([1, 1, 2, 2, 3, 5]),
                    "degree": degree,
                    "major": major,
                    "experience": rng.choice(EXPERIENCE),
                    "salary": salary,
                    "housing": housing,
                    "subsidies": subsidies,
                    "contact": f"人力资源部 0377-6{rng.randint(1000000, 9999999)}",
                    "note": rng.choice(["", "", "企业急需", "已对接高校"]),
                    "order": order,
                }
            )
    demand_services.entries_bulk_create(actor=SYSTEM, edition=edition, rows=rows)
    demand_services.edition_publish(actor=SYSTEM, edition=edition)
    return len(rows)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _challenge(county, title, problem, owner, industry, reward_fen, deadline) -> Challenge:
    return challenge_services.challenge_create(
        actor=SYSTEM,
        county=county,
        data={
            "title": title,
            "problem": problem,
            "owner_company": owner,
            "industry": industry,
            "reward_fen": reward_fen,
            "deadline": deadline,
        },
    )


def _apply(challenge, applicant, employer, contact, submitted_on, members, proposal):
    return challenge_services.application_create(
        actor=SYSTEM,
        challenge=challenge,
        data={
            "applicant": applicant,
            "is_team": len(members) > 1,
            "employer": employer,
            "contact_name": contact,
            "contact_phone": "",
            "proposal": proposal,
            "submitted_on": submitted_on,
        },
        members=[{"name": n, "employer": employer, "duty": d} for n, d in members],
    )


def _review(challenge, applications, scores, on) -> None:
    """Start the review on `on` and record the experts' scores (rows: one per expert)."""
    challenge_services.challenge_review(actor=SYSTEM, challenge=challenge, today=on)
    experts = [
        ("张立新", "郑州大学化工学院 教授"),
        ("王海燕", "河南省化工研究所 研究员"),
        ("李国庆", "南阳理工学院 教授"),
    ]
    for (name, affiliation), row in zip(experts, scores, strict=True):
        reviewer = challenge_services.reviewer_add(
            actor=SYSTEM, challenge=challenge, name=name, affiliation=affiliation
        )
        for application, score in zip(applications, row, strict=True):
            if score is not None:
                challenge_services.score_set(
                    actor=SYSTEM, application=application, reviewer=reviewer, score=score
                )


def _challenges(county) -> int:
    if Challenge.objects.filter(county=county).exists():
        return 0
    # 1. Published and open for applications.
    open_ = _challenge(
        county,
        "高纯度氢氧化钾连续结晶技术",
        "现有间歇结晶产品纯度 98.5%，目标连续结晶纯度≥99.5%、能耗降低 15%。",
        "桐柏县海晶氯碱化工有限公司",
        "氯碱化工",
        80_000_000,
        _days(45),
    )
    challenge_services.challenge_publish(actor=SYSTEM, challenge=open_, today=_days(-15))

    # 2. In review, with two applications, partly scored.
    reviewing = _challenge(
        county,
        "医药中间体连续流合成工艺开发",
        "某抗病毒药物中间体间歇釜收率 72%，目标连续流工艺收率≥85%，三废减少 30%。",
        "桐柏县华康医药化工有限公司",
        "医药中间体",
        50_000_000,
        _days(-10),
    )
    challenge_services.challenge_publish(actor=SYSTEM, challenge=reviewing, today=_days(-70))
    apps = [
        _apply(
            reviewing,
            "华东理工大学微反应团队",
            "华东理工大学",
            "陈博",
            _days(-40),
            [("陈博", "负责人"), ("刘洋", "工艺开发"), ("赵敏", "分析检测")],
            "采用微通道反应器，分三段温控，预计收率 87%。",
        ),
        _apply(
            reviewing,
            "郑州大学药学院",
            "郑州大学",
            "周磊",
            _days(-20),
            [("周磊", "负责人"), ("孙婷", "合成")],
            "管式反应器连续流，配套在线检测，预计收率 85%。",
        ),
    ]
    _review(reviewing, apps, [(88, 82), (90, 85), (None, None)], on=_days(-5))

    # 3. In progress: winner chosen, milestones set, the first reached and paid.
    running = _challenge(
        county,
        "改性工程塑料耐候性提升",
        "户外用改性 PP 制品老化开裂，目标氙灯老化 2000 小时后拉伸强度保持率≥80%。",
        "桐柏县金源新材料股份有限公司",
        "新材料",
        100_000_000,
        _days(-200),
    )
    challenge_services.challenge_publish(actor=SYSTEM, challenge=running, today=_days(-260))
    apps = [
        _apply(
            running,
            "北京化工大学材料学院团队",
            "北京化工大学",
            "吴刚",
            _days(-230),
            [("吴刚", "负责人"), ("郑丽", "配方设计"), ("冯涛", "老化测试")],
            "复配受阻胺光稳定剂与纳米氧化锌，分三阶段中试。",
        ),
        _apply(
            running,
            "河南省高分子材料研究所",
            "河南省高分子材料研究所",
            "何平",
            _days(-215),
            [("何平", "负责人")],
            "表面涂覆耐候层。",
        ),
    ]
    _review(running, apps, [(92, 78), (89, 80), (91, 75)], on=_days(-195))
    challenge_services.challenge_award(
        actor=SYSTEM,
        challenge=running,
        application=apps[0],
        reason="专家评审平均分最高，方案可行，团队有同类产品产业化经验。",
        today=_days(-185),
    )
    milestones = [
        challenge_services.milestone_add(actor=SYSTEM, challenge=running, title=title, due_on=due)
        for title, due in (
            ("配方筛选与小试", _days(-60)),
            ("中试及老化测试", _days(90)),
            ("产业化应用与验收", _days(270)),
        )
    ]
    challenge_services.challenge_start(actor=SYSTEM, challenge=running)
    challenge_services.milestone_done(
        actor=SYSTEM,
        milestone=milestones[0],
        done_on=_days(-66),
        evidence="小试样品氙灯老化 1000 小时强度保持率 86%，检测报告已存档。",
    )
    challenge_services.payment_record(
        actor=SYSTEM,
        challenge=running,
        milestone=milestones[0],
        amount_fen=30_000_000,
        paid_on=_days(-50),
        note="首期奖励（30%）",
    )
    return 3


def seed_talent_demands(*, demo, rng: random.Random) -> int:
    """The 2026 catalogue, published; returns the number of posts added."""
    return _catalogue(rng, demo.county)


def seed_challenges(*, demo, rng: random.Random) -> int:
    """Three challenges in different states; returns the number added."""
    return _challenges(demo.county)
