"""The demo's year of three ones, written through the services."""

import random
from types import SimpleNamespace

from zuzhi.demo.three_ones import seed_three_ones
from zuzhi.three_ones.models import Aspect, Contact
from zuzhi.three_ones.selectors import months_before, problem_counts


def test_a_year_of_logs_and_one_cadre_flagged_for_ability(world, county):
    demo = SimpleNamespace(townships=[county.town_a, county.town_b])
    written = seed_three_ones(demo=demo, rng=random.Random(3))
    assert written == Contact.objects.count() > 30
    # Leaders with an account log their own team's.
    assert not Contact.objects.exclude(recorded_by__in=[world.leader_a, world.leader_b]).exists()
    from zuzhi.demo.seeding import TODAY

    counts = problem_counts(aspect=Aspect.ABILITY, since=months_before(TODAY, 12))
    assert max(counts.values()) >= 3
    assert seed_three_ones(demo=demo, rng=random.Random(3)) == 0
