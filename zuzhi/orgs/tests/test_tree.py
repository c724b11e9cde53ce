"""The materialized path stays right through any sequence of creates and moves."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zuzhi.core.scope import PATH_STEP, SYSTEM, path_segment, subtree_q
from zuzhi.orgs.models import Organization
from zuzhi.orgs.services import org_create, org_move


def expected_paths() -> dict[int, str]:
    parents = dict(Organization.objects.values_list("pk", "parent_id"))
    paths: dict[int, str] = {}

    def path_of(pk):
        if pk not in paths:
            parent = parents[pk]
            paths[pk] = (path_of(parent) if parent else "") + path_segment(pk)
        return paths[pk]

    for pk in parents:
        path_of(pk)
    return paths


def assert_tree_consistent():
    expected = expected_paths()
    for pk, path, depth in Organization.objects.values_list("pk", "path", "depth"):
        assert path == expected[pk]
        assert depth == len(path) // PATH_STEP
    parents = dict(Organization.objects.values_list("pk", "parent_id"))
    for org in Organization.objects.all():
        in_range = set(
            Organization.objects.filter(subtree_q(org.path)).values_list("pk", flat=True)
        )
        walked = {pk for pk in parents if _is_descendant(pk, org.pk, parents)}
        assert in_range == walked


def _is_descendant(pk, ancestor, parents):
    while pk is not None:
        if pk == ancestor:
            return True
        pk = parents[pk]
    return False


tree_ops = st.lists(
    st.tuples(st.sampled_from(["add", "move"]), st.integers(0, 10_000), st.integers(0, 10_000)),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=tree_ops)
def test_random_creates_and_moves_keep_every_path(ops, django_db_blocker):
    from django.db import transaction

    with transaction.atomic():
        root = org_create(
            actor=SYSTEM, parent=None, data={"code": "R", "name": "根", "org_type": "committee"}
        )
        nodes = [root]
        for i, (op, a, b) in enumerate(ops):
            if op == "add":
                parent = nodes[a % len(nodes)]
                nodes.append(
                    org_create(
                        actor=SYSTEM,
                        parent=parent,
                        data={"code": f"N{i}", "name": f"节点{i}", "org_type": "general_branch"},
                    )
                )
            elif len(nodes) > 1:
                org = Organization.objects.get(pk=nodes[1 + a % (len(nodes) - 1)].pk)
                target = Organization.objects.get(pk=nodes[b % len(nodes)].pk)
                try:
                    org_move(actor=SYSTEM, org=org, new_parent=target)
                except ValidationError:
                    assert target.path.startswith(org.path)
        assert_tree_consistent()
        transaction.set_rollback(True)


def test_move_into_own_subtree_is_refused(county, county_user):
    with pytest.raises(ValidationError) as exc:
        org_move(actor=county_user, org=county.town_a, new_parent=county.village_a1)
    assert "下级" in str(exc.value)


def test_move_updates_descendants_and_scope(county, county_user, town_b_user):
    org_move(actor=county_user, org=county.village_a1, new_parent=county.town_b)
    from zuzhi.orgs.selectors import org_list

    assert "VA1" in set(org_list(user=town_b_user).values_list("code", flat=True))
    assert_tree_consistent()


def test_township_cannot_move_into_another_township(county, town_a_user):
    from django.http import Http404

    with pytest.raises(Http404):
        org_move(actor=town_a_user, org=county.village_a1, new_parent=county.town_b)
    county.village_a1.refresh_from_db()
    assert county.village_a1.parent_id == county.town_a.pk
