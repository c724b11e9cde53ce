"""The demo's subsidy ledger, seeded through the services on a few graduates."""

import datetime
import random
from types import SimpleNamespace

import pytest

from zuzhi.demo.subsidies import RUNS, seed_subsidies
from zuzhi.subsidies.models import (
    ApplicationStatus,
    LineKind,
    RunStatus,
    SubsidyApplication,
    SubsidyLine,
    SubsidyRun,
)
from zuzhi.talent.models import Degree, TalentStatus

from .helpers import graduate

pytestmark = pytest.mark.django_db
D = datetime.date


def test_seed_subsidies(county):
    node = county.county
    for degree in (Degree.DOCTOR, Degree.MASTER, Degree.BACHELOR):
        graduate(node, degree=degree, arrived_on=D(2025, 3, 2))
    ended = graduate(node, arrived_on=D(2023, 7, 3))  # 36 months end with 2026-06
    left = graduate(
        node, arrived_on=D(2024, 7, 1), status=TalentStatus.LEFT, left_on=D(2026, 5, 10)
    )
    graduate(node, id_number="411330198001010010", arrived_on=D(2024, 8, 1))  # refused: 44
    graduate(node, arrived_on=D(2026, 8, 20))
    graduate(node, arrived_on=D(2026, 9, 1))
    graduate(node, arrived_on=D(2026, 9, 1))  # the last three wait for approval
    demo = SimpleNamespace(county=node)
    assert seed_subsidies(demo=demo, rng=random.Random(1)) > 0
    statuses = list(SubsidyApplication.objects.values_list("status", flat=True))
    assert statuses.count(ApplicationStatus.APPROVED) == 5
    assert statuses.count(ApplicationStatus.REJECTED) == 1
    assert statuses.count(ApplicationStatus.SUBMITTED) == 3
    runs = list(SubsidyRun.objects.order_by("month"))
    assert len(runs) == RUNS
    assert (runs[0].month, runs[-1].month) == (D(2025, 12, 1), D(2026, 11, 1))
    assert [r.status for r in runs].count(RunStatus.APPROVED) == RUNS - 1
    november = runs[-1]
    assert (november.paid_count, november.total_fen) == (3, 900_000)
    stopped = SubsidyLine.objects.filter(kind=LineKind.STOPPED, run__month=D(2026, 7, 1))
    assert {line.talent_id for line in stopped} == {ended.pk, left.pk}
    assert SubsidyLine.objects.filter(kind=LineKind.BACK_PAY, run=runs[4]).count() == 1
    refused = SubsidyApplication.objects.get(status=ApplicationStatus.REJECTED)
    assert refused.reject_reason == "来县工作时 44 周岁，超过本政策规定的 35 周岁。"
    assert seed_subsidies(demo=demo, rng=random.Random(1)) == 0
