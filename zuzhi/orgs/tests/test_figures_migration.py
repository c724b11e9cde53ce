"""Organizations registered before the kept figures existed get theirs from the migration."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zuzhi.core.scope import PATH_STEP, path_segment
from zuzhi.orgs.models import OrgFigures
from zuzhi.testing.factories import valid_id_number


def old_org(old, *, code: str, name: str, parent=None, org_type: str = "branch"):
    """An organization of the schema before the figures, written as the service would (the
    current model's later columns, such as the sealed phone's, do not exist yet)."""
    org = old("orgs", "Organization").objects.create(
        parent=parent, code=code, name=name, org_type=org_type, path="~" + code
    )
    org.path = (parent.path if parent else "") + path_segment(org.pk)
    org.depth = len(org.path) // PATH_STEP
    org.save(update_fields=["path", "depth"])
    return org


def test_existing_organizations_get_their_figures_counted(transactional_db):
    executor = MigrationExecutor(connection)
    state = executor.migrate([("orgs", "0004_committeeseat")])
    old = state.apps.get_model
    town = old_org(old, code="T", name="城关镇党委", org_type="committee")
    busy = old_org(old, parent=town, code="B1", name="李庄村党支部")
    quiet = old_org(old, parent=town, code="B2", name="王庄村党支部")
    empty = old_org(old, parent=town, code="B3", name="张湾村党支部")
    member = old("members", "Member").objects.create
    for n, status in enumerate(["full", "full", "probationary"]):
        member(
            organization_id=busy.pk,
            name=f"党员{n}",
            name_initials="dy",
            id_number=valid_id_number("19800101", n),
            gender="1",
            ethnicity="01",
            birth_date=datetime.date(1980, 1, 1),
            join_date=datetime.date(2005, 7, 1),
            status=status,
        )
    member(
        organization_id=quiet.pk,
        name="预备党员",
        name_initials="ybdy",
        id_number=valid_id_number("19800101", 9),
        gender="1",
        ethnicity="01",
        birth_date=datetime.date(1980, 1, 1),
        join_date=datetime.date(2025, 7, 1),
        status="probationary",
    )
    meeting = old("orglife", "Meeting").objects.create
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 5, 9), datetime.date(2026, 4, 2)):
        meeting(organization_id=busy.pk, kind="theme_day", date=day, topic="学习")
    meeting(
        organization_id=empty.pk, kind="theme_day", date=datetime.date(2026, 1, 5), topic="学习"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    figures = {
        f.organization_id: (f.members, f.full_members, f.last_meeting_on)
        for f in OrgFigures.objects.all()
    }
    assert figures == {
        town.pk: (0, 0, None),
        busy.pk: (3, 2, datetime.date(2026, 5, 9)),
        quiet.pk: (1, 0, None),
        empty.pk: (0, 0, datetime.date(2026, 1, 5)),
    }


def test_the_figures_are_filled_a_chunk_of_organizations_at_a_time(transactional_db, monkeypatch):
    executor = MigrationExecutor(connection)
    state = executor.migrate([("orgs", "0004_committeeseat")])
    orgs = [old_org(state.apps.get_model, code=f"B{n}", name=f"第{n}党支部") for n in range(5)]
    for n, org in enumerate(orgs):
        state.apps.get_model("members", "Member").objects.create(
            organization_id=org.pk,
            name=f"党员{n}",
            name_initials="dy",
            id_number=valid_id_number("19800101", n),
            gender="1",
            ethnicity="01",
            birth_date=datetime.date(1980, 1, 1),
            join_date=datetime.date(2005, 7, 1),
            status="full",
        )
    fill = executor.loader.get_migration("orgs", "0006_org_figures_fill")
    monkeypatch.setattr(type(fill).__module__ + ".CHUNK", 2)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(OrgFigures.objects.values_list("organization_id", "members")) == {
        org.pk: 1 for org in orgs
    }
