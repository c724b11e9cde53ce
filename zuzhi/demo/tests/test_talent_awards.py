"""The demo's talent awards: one published, one under way with votes; a rerun adds nothing."""

import random

from zuzhi.contests.models import ContestStatus, Track, Vote
from zuzhi.core.roles import Role
from zuzhi.demo.seeding import DemoCounty
from zuzhi.demo.talent_awards import seed_talent_awards
from zuzhi.testing.factories import make_talent, user_with_role


def test_seed_talent_awards(county):
    user_with_role(Role.TALENT_STAFF, county.county, username="talent_officer")
    for i in range(1, 6):
        user_with_role(Role.JUDGE, county.county, username=f"judge{i}")
    for i in range(14):
        make_talent(county.county, name=f"人才{i:02d}")
    demo = DemoCounty(county=county.county)

    assert seed_talent_awards(demo=demo, rng=random.Random(7)) == 2

    top, star = county.county.contests.filter(track=Track.TALENT).order_by("pk")
    assert top.status == ContestStatus.PUBLISHED
    assert top.entrants.count() == 10
    assert top.versions.get().rows.filter(selected=True).count() >= 5
    assert star.status == ContestStatus.RUNNING
    assert star.entrants.count() == 4
    assert Vote.objects.filter(stage__contest=star).exists()
    assert seed_talent_awards(demo=demo, rng=random.Random(7)) == 0
