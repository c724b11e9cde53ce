import datetime

import pytest
from django.utils import timezone

from zuzhi.challenges import services

TODAY = datetime.date(2026, 11, 23)
DEADLINE = datetime.date(2026, 12, 31)


@pytest.fixture
def today(monkeypatch):
    """The date the services see; `today.set(d)` moves it."""

    class Today:
        value = TODAY

        def set(self, value):
            self.value = value

    t = Today()
    monkeypatch.setattr(timezone, "localdate", lambda *a: t.value)
    return t


def make_challenge(office, **overrides):
    data = {
        "title": "离子膜烧碱节能降耗",
        "problem": "电解槽电耗偏高，目标吨碱电耗降低 3%。",
        "owner_company": "示范县化工有限公司",
        "industry": "氯碱化工",
        "reward_fen": 50_000_000,  # 50 万元
        "deadline": DEADLINE,
    }
    return services.challenge_create(actor=office, data={**data, **overrides})


def apply(office, challenge, applicant="郑州大学化工团队", **overrides):
    data = {
        "applicant": applicant,
        "is_team": True,
        "employer": "郑州大学",
        "contact_name": "李教授",
        "contact_phone": "13812345678",
        "proposal": "改进膜极距与电解液循环。",
        "submitted_on": TODAY,
        **overrides,
    }
    return services.application_create(
        actor=office,
        challenge=challenge,
        data=data,
        members=[
            {"name": "李明", "employer": "郑州大学"},
            {"name": "王芳", "employer": "郑州大学"},
        ],
    )


@pytest.fixture
def reviewing(talent_world, today):
    """A challenge in review with two applications."""
    office = talent_world.office
    challenge = make_challenge(office)
    services.challenge_publish(actor=office, challenge=challenge)
    first = apply(office, challenge)
    second = apply(office, challenge, applicant="河南省化工研究所", is_team=False)
    today.set(DEADLINE + datetime.timedelta(days=1))
    services.challenge_review(actor=office, challenge=challenge)
    challenge.refresh_from_db()
    return challenge, first, second


@pytest.fixture
def in_progress(talent_world, reviewing, today):
    office = talent_world.office
    challenge, first, _ = reviewing
    services.challenge_award(
        actor=office, challenge=challenge, application=first, reason="方案最优"
    )
    one = services.milestone_add(
        actor=office, challenge=challenge, title="中试", due_on=datetime.date(2027, 6, 30)
    )
    two = services.milestone_add(
        actor=office, challenge=challenge, title="工业化应用", due_on=datetime.date(2027, 12, 31)
    )
    services.challenge_start(actor=office, challenge=challenge)
    challenge.refresh_from_db()
    return challenge, one, two
