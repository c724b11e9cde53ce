"""Demo 人才补贴: the 淮源英才计划 graduate living subsidy (博士 5,000, 硕士 3,000, 本科 1,000
元 a month for 36 months, 35 or younger at arrival, arrived from 2023-07-01), an application
with evidence for every young graduate of the registry (approved when they qualify, refused
with the rule's reason otherwise, the last few still waiting), and twelve monthly payroll runs
up to TODAY: the eleven past ones approved and locked, the current one waiting for approval.
Those who left the county and those whose 36 months ended show as stopped; one 补发 of an
earlier month lands in the following run. Runs through the services, as the office would."""

import datetime

from django.core.files.base import ContentFile

from zuzhi.core.scope import SYSTEM
from zuzhi.subsidies import payroll, services
from zuzhi.subsidies.models import DEFAULT_AMOUNTS_FEN, SubsidyPolicy
from zuzhi.subsidies.months import add_months, month_start
from zuzhi.talent.models import Degree, Talent

from .seeding import TODAY

POLICY_NAME = "淮源英才计划青年人才生活补贴"
ARRIVED_FROM = datetime.date(2023, 7, 1)
RUNS = 12
WAITING = 3  # the latest applications stay 待审核
BANKS = [
    "中国农业银行桐柏县支行",
    "中国工商银行桐柏县支行",
    "桐柏农村商业银行",
    "中国邮政储蓄银行桐柏县支行",
]


def _evidence(name: str) -> dict:
    pdf = b"%PDF-1.4\n% demo evidence\n"
    return {
        "degree_certificate": ContentFile(pdf, name=f"{name}学位证书.pdf"),
        "labour_contract": ContentFile(pdf, name=f"{name}劳动合同.pdf"),
    }


def _account(rng) -> str:
    return "6228" + "".join(str(rng.randint(0, 9)) for _ in range(15))


def seed_subsidies(*, demo, rng) -> int:
    """The policy, its applications and twelve runs; 0 when already seeded."""
    if SubsidyPolicy.objects.filter(county=demo.county, name=POLICY_NAME).exists():
        return 0
    policy = services.subsidy_policy_create(
        actor=SYSTEM,
        county=demo.county,
        data={
            "name": POLICY_NAME,
            "amounts_fen": dict(DEFAULT_AMOUNTS_FEN),
            "max_age_at_arrival": 35,
            "arrived_from": ARRIVED_FROM,
            "duration_months": 36,
            "note": "桐柏县淮源英才计划：来县工作的全日制博士、硕士研究生和本科毕业生，三年内按月发放生活补贴。",
        },
    )
    graduates = list(
        Talent.objects.filter(
            county=demo.county,
            degree__in=[Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR],
            arrived_on__gte=ARRIVED_FROM,
            arrived_on__lte=TODAY,
        ).order_by("arrived_on", "pk")
    )
    created = 1
    for n, talent in enumerate(graduates):
        application = services.subsidy_application_submit(
            actor=SYSTEM,
            policy=policy,
            talent=talent,
            data={
                "bank_name": rng.choice(BANKS),
                "bank_account": _account(rng),
                "employer_in_county": True,
            },
            files=_evidence(talent.name),
        )
        created += 1
        if n >= len(graduates) - WAITING:
            continue
        # Decided a month after arrival, as the office does: before anyone left.
        decided_on = talent.arrived_on + datetime.timedelta(days=30)
        failures = services.qualification_failures(
            policy=policy, talent=talent, employer_in_county=True, on=decided_on
        )
        if failures:
            services.subsidy_application_reject(
                actor=SYSTEM, application=application, reason=failures[0][:200]
            )
        else:
            services.subsidy_application_approve(
                actor=SYSTEM, application=application, today=decided_on
            )
    first = add_months(month_start(TODAY), 1 - RUNS)
    for i in range(RUNS):
        run = payroll.subsidy_run_create(
            actor=SYSTEM, policy=policy, month=add_months(first, i), today=TODAY, background=False
        )
        created += 1 + run.recipients
        if i < RUNS - 1:
            payroll.subsidy_run_approve(actor=SYSTEM, run=run)
        if i == 3:
            created += _back_pay(run)
    return created


def _back_pay(run) -> int:
    """One payment of this (approved) month returned by the bank: paid again as a 补发 in
    the next run."""
    line = run.lines.filter(kind="regular").order_by("id").first()
    if line is None:
        return 0
    payroll.subsidy_correction_create(
        actor=SYSTEM,
        application=line.application,
        month=run.month,
        amount_fen=line.amount_fen,
        reason="原银行账号已注销、款项退回，按新账号补发",
    )
    return 1
