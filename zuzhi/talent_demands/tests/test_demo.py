"""The demo's catalogue and challenges: written through the services, once."""

import random
from types import SimpleNamespace

from zuzhi.challenges.models import Challenge, ChallengePayment
from zuzhi.demo.talent_demands import seed_challenges, seed_talent_demands
from zuzhi.talent_demands.models import DemandEdition
from zuzhi.testing.factories import make_talent


def test_seed_demands_and_challenges(client, talent_world):
    county = talent_world.county.county
    for n in range(3):
        make_talent(county, name=f"人才{n}")
    demo = SimpleNamespace(county=county)
    assert seed_talent_demands(demo=demo, rng=random.Random(1)) == 40
    edition = DemandEdition.objects.get(county=county, year=2026)
    assert edition.status == "published"
    assert set(edition.entries.values_list("industry", flat=True)) >= {
        "氯碱化工",
        "医药中间体",
        "新材料",
    }
    assert seed_challenges(demo=demo, rng=random.Random(1)) == 3
    states = dict(Challenge.objects.values_list("state", "title"))
    assert set(states) == {"published", "reviewing", "in_progress"}
    reviewing = Challenge.objects.get(state="reviewing")
    assert reviewing.applications.count() == 2
    running = Challenge.objects.get(state="in_progress")
    assert running.milestones.filter(done_on__isnull=False).count() == 1
    assert ChallengePayment.objects.get().amount_fen == 30_000_000
    # A second run adds nothing.
    assert seed_talent_demands(demo=demo, rng=random.Random(1)) == 0
    assert seed_challenges(demo=demo, rng=random.Random(1)) == 0
    # The public pages show them.
    assert client.get(f"/rencai/xuqiu/{edition.pk}/").status_code == 200
    page = client.get("/rencai/jiebang/").content.decode()
    assert all(title in page for title in states.values())
