from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zuzhi.appraisal.models import AppraisalRound
from zuzhi.testing.factories import OrganizationFactory


def test_rounds_opened_before_the_token_each_get_their_own(transactional_db):
    org = OrganizationFactory(code="B1", name="李庄村党支部")
    executor = MigrationExecutor(connection)
    state = executor.migrate([("appraisal", "0001_initial")])
    old_round = state.apps.get_model("appraisal", "AppraisalRound")
    for year in (2024, 2025):
        old_round.objects.create(organization_id=org.pk, year=year, excellent_cap="0.333")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    tokens = list(AppraisalRound.objects.values_list("ballot_token", flat=True))
    assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 20 for t in tokens)
