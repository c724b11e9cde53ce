"""Scope as the default path: every scoped model declares how it reaches the tree, every write
goes through the one `require_in_scope`, the system acts as an explicit actor, and every
out-of-scope lookup is the logged 404."""

import datetime

import pytest
from django.apps import apps
from django.http import Http404
from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import (
    SYSTEM,
    ScopedQuerySet,
    path_segment,
    require_in_scope,
    subtree_q,
)
from zuzhi.dues import services as dues_services
from zuzhi.members import services as member_services
from zuzhi.members.models import Member, MemberTransfer, MobileRecord
from zuzhi.orglife import services as orglife_services
from zuzhi.orgs import services as org_services
from zuzhi.orgs.models import Organization
from zuzhi.recruitment import services as recruitment_services
from zuzhi.testing.factories import OrganizationFactory, make_member, member_data, valid_id_number

SCOPED_APPS = [
    "orgs",
    "members",
    "orglife",
    "dues",
    "recruitment",
    "appraisal",
    "points",
    "contests",
    "ratings",
    "cadres",
    "training",
    "promotions",
    "archive",
    "three_ones",
    "village_work",
    "reserves",
    "team_appraisal",
    "adjustments",
    "joint_reviews",
    "reserve_appraisals",
    "reserve_use",
    "reserve_training",
    "households",
    "tickets",
    "talent",
    "subsidies",
    "apartments",
    "talent_demands",
    "challenges",
]
# Models of those apps that belong to no organization: the whole deployment shares them.
UNSCOPED = {
    "points.pointrule",
    # Star schemes sit on a node but every user sees them; their stars and quotas with them.
    "ratings.starscheme",
    "ratings.star",
    "ratings.starquota",
    # An SMS code belongs to a phone, not to a contest.
    "contests.votecode",
    # The county's team structure targets are configuration, the same for every team.
    "cadres.teamtarget",
    # The course catalogue and the yearly requirements are the county's, shared by everyone.
    "training.course",
    "training.trainingrequirement",
    # The three-ones problem types are the county's configuration, shared by every team.
    "three_ones.problemtype",
    # The review grades (好/较好/一般/差 by default) are the county's configuration.
    "village_work.reviewgrade",
    # The joint review's departments and their reviewers are the county's configuration.
    "joint_reviews.department",
    "joint_reviews.reviewerdepartment",
    # The request types (日常生活, 事项代办…) and their deadlines are the county's configuration.
    "tickets.tickettype",
}


def denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_every_model_of_the_scoped_apps_declares_its_way_to_the_tree():
    for app in SCOPED_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.label_lower in UNSCOPED:
                continue
            assert hasattr(model, "scope_path_field"), model._meta.label
            assert isinstance(model.objects.all(), ScopedQuerySet), model._meta.label
            # Each declared path ends at an organization's path and compiles on the real
            # schema (the system actor's empty filter would not resolve it).
            fields = model.scope_path_field
            for field in (fields,) if isinstance(fields, str) else fields:
                assert field.split("__")[-1] == "path", (model._meta.label, field)
                str(model.objects.filter(subtree_q(path_segment(1), field)).query)
            str(model.objects.visible_to(SYSTEM).query)


def test_visible_to_cuts_each_model_to_the_scope(county, town_a_user, town_b_user):
    mine = make_member(county.village_a1)
    theirs = make_member(county.village_b1, id_number=valid_id_number(sequence=7))
    assert set(Member.objects.visible_to(town_a_user)) == {mine}
    assert set(Member.objects.visible_to(town_b_user)) == {theirs}
    assert set(Organization.objects.visible_to(SYSTEM)) == set(Organization.objects.all())
    assert not Member.objects.visible_to(None).exists()


def test_a_transfer_is_visible_from_both_ends(county, town_a_user, town_b_user, branch_a1_user):
    member = make_member(county.village_a1)
    transfer = member_services.member_transfer(
        actor=town_a_user,
        member=member,
        to_org=county.village_b1,
        transfer_date=datetime.date(2026, 1, 5),
        reason="外出务工",
    )
    assert list(MemberTransfer.objects.visible_to(town_a_user)) == [transfer]
    assert list(MemberTransfer.objects.visible_to(town_b_user)) == [transfer]
    other = user_in(county, OrganizationFactory(parent=county.county, code="TC"))
    assert not MemberTransfer.objects.visible_to(other).exists()


def user_in(county, org):
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    return user_with_role(Role.TOWNSHIP_STAFF, org)


# One write of each app that used a private `_require_scope`, called without an actor.
def _org_update(county):
    org_services.org_update(actor=None, org=county.village_a1, data={"name": "越权"})


def _member_update(county):
    member = make_member(county.village_a1)
    member_services.member_update(actor=None, member=member, data={"name": "越权"})


def _candidate_apply(county):
    recruitment_services.candidate_apply(
        actor=None,
        organization=county.village_a1,
        applied_on=datetime.date(2026, 1, 5),
        data={"name": "越权", "id_number": member_data()["id_number"]},
    )


def _dues_basis(county):
    dues_services.dues_basis_set(
        actor=None, member=make_member(county.village_a1), year=2026, kind="farmer", farmer_fen=20
    )


def _meeting_record(county):
    orglife_services.meeting_record(
        actor=None,
        organization=county.village_a1,
        kind="committee",
        date=datetime.date(2026, 1, 5),
        topic="越权",
        attendee_ids=[],
    )


@pytest.mark.parametrize(
    "write", [_org_update, _member_update, _candidate_apply, _dues_basis, _meeting_record]
)
def test_a_write_without_an_actor_is_refused_and_logged(county, write):
    before = denials()
    with pytest.raises(Http404):
        write(county)
    assert denials() == before + 1


def test_the_system_actor_passes_every_scope_and_is_named_in_the_audit(db):
    root = org_services.org_create(
        actor=SYSTEM, parent=None, data={"code": "R", "name": "根", "org_type": "committee"}
    )
    require_in_scope(SYSTEM, root.path)
    row = AuditLog.objects.get(target_type="orgs.organization", target_id=str(root.pk))
    assert row.actor is None and row.actor_username == "系统"


def test_only_the_system_creates_a_root(county, county_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        org_services.org_create(
            actor=county_user,
            parent=None,
            data={"code": "R", "name": "根", "org_type": "committee"},
        )


@pytest.fixture
def far_transfer(county, town_b_user):
    """A transfer pending from town B to the county's own unit: nothing of town A."""
    member = make_member(county.village_b1, name="乙")
    return member_services.member_transfer(
        actor=town_b_user,
        member=member,
        to_org=county.unit,
        transfer_date=datetime.date(2026, 1, 5),
        reason="工作调动",
    )


@pytest.mark.parametrize("action", ["accept", "reject", "cancel"])
def test_someone_elses_transfer_is_the_logged_404_on_the_page(
    county, client_as, town_a_user, far_transfer, action
):
    before = denials()
    response = client_as(town_a_user).post(
        reverse("members:transfer_decide", args=[far_transfer.pk, action]), {"note": "越权"}
    )
    assert response.status_code == 404
    assert denials() == before + 1
    far_transfer.refresh_from_db()
    assert far_transfer.status == "pending"


def test_someone_elses_transfer_is_the_logged_404_in_the_api(
    county, api_as, branch_a1_user, far_transfer
):
    before = denials()
    response = api_as(branch_a1_user).post(
        f"/api/members/transfers/{far_transfer.pk}/accept",
        data={"note": ""},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert denials() == before + 1


def test_the_receiving_side_cannot_cancel_and_is_logged(county, town_b_user, far_transfer):
    """The county unit receives; it may accept, not withdraw the sender's transfer."""
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import user_with_role

    receiver = user_with_role(Role.BRANCH_SECRETARY, county.unit)
    before = denials()
    with pytest.raises(Http404):
        member_services.member_transfer_cancel(actor=receiver, transfer=far_transfer)
    assert denials() == before + 1


@pytest.fixture
def far_mobile(county, town_b_user):
    return member_services.mobile_register(
        actor=town_b_user,
        member=make_member(county.village_b1, name="丙"),
        destination="浙江省宁波市",
        left_on=datetime.date(2025, 3, 1),
    )


def test_someone_elses_mobile_member_return_is_the_logged_404(
    county, client_as, town_a_user, far_mobile
):
    before = denials()
    response = client_as(town_a_user).post(
        reverse("members:mobile"), {"record": far_mobile.pk, "returned_on": "2026-01-05"}
    )
    assert response.status_code == 404
    assert denials() == before + 1
    far_mobile.refresh_from_db()
    assert far_mobile.returned_on is None


def test_mobile_return_service_refuses_out_of_scope_and_logs(county, town_a_user, far_mobile):
    before = denials()
    with pytest.raises(Http404):
        member_services.mobile_return(
            actor=town_a_user, record=far_mobile, returned_on=datetime.date(2026, 1, 5)
        )
    assert denials() == before + 1
    assert MobileRecord.objects.get(pk=far_mobile.pk).returned_on is None


def test_the_destination_returns_a_mobile_member(county, town_a_user, town_b_user):
    record = member_services.mobile_register(
        actor=town_b_user,
        member=make_member(county.village_b1, name="丁"),
        destination="城关镇",
        left_on=datetime.date(2025, 3, 1),
        destination_org=county.village_a1,
    )
    member_services.mobile_return(
        actor=town_a_user, record=record, returned_on=datetime.date(2026, 1, 5)
    )
    assert MobileRecord.objects.get(pk=record.pk).returned_on == datetime.date(2026, 1, 5)


def test_someone_elses_dues_exemption_is_the_logged_404(
    county, client_as, town_a_user, town_b_user
):
    exemption = dues_services.dues_exemption_request(
        actor=town_b_user,
        member=make_member(county.village_b1, name="戊"),
        first_month=datetime.date(2026, 1, 1),
        last_month=datetime.date(2026, 6, 1),
        monthly_fen=0,
        reason="生活困难",
    )
    before = denials()
    response = client_as(town_a_user).post(
        reverse("dues:decide", args=[exemption.pk]), {"approve": "1"}
    )
    assert response.status_code == 404
    assert denials() == before + 1
    exemption.refresh_from_db()
    assert exemption.status == "pending"


# The `?org=` parameter: one helper for every page and API list outside contests and ratings.
ORG_PAGES = [
    ("members:list", {}),
    ("orglife:list", {}),
    ("orglife:create", {}),
    ("points:list", {}),
    ("appraisal:open", {}),
    ("party_stats:index", {}),
    ("party_stats:xlsx", {}),
    ("party_stats:check", {}),
]
ORG_API = ["/api/members", "/api/meetings", "/api/party-stats"]


@pytest.mark.parametrize(("name", "extra"), ORG_PAGES)
def test_org_parameter_outside_the_scope_is_the_logged_404_on_pages(
    county, client_as, branch_a1_user, name, extra
):
    client = client_as(branch_a1_user)
    before = denials()
    assert client.get(reverse(name), {"org": county.village_b1.pk, **extra}).status_code == 404
    assert denials() == before + 1
    for junk in ("abc", "-1", "0", "99999999999999999999999", "１"):
        assert client.get(reverse(name), {"org": junk}).status_code == 404, junk


@pytest.mark.parametrize("path", ORG_API)
def test_org_parameter_outside_the_scope_is_the_logged_404_in_the_api(
    county, api_as, branch_a1_user, path
):
    before = denials()
    assert api_as(branch_a1_user).get(path, {"org": county.village_b1.pk}).status_code == 404
    assert denials() == before + 1


def test_org_parameter_inside_the_scope_filters(county, client_as, town_a_user):
    make_member(county.village_a1, name="甲一")
    make_member(
        county.village_a2,
        name="甲二",
        id_number=valid_id_number(sequence=8),
    )
    body = (
        client_as(town_a_user)
        .get(reverse("members:list"), {"org": county.village_a2.pk})
        .content.decode()
    )
    assert "甲二" in body and "甲一" not in body


def test_the_grant_role_command_acts_as_the_system(county):
    from django.core.management import call_command

    from zuzhi.testing.factories import UserFactory

    user = UserFactory(username="newclerk")
    call_command("grant-role", "newclerk", "township_staff", "TA")
    assert user.role_assignments.get().organization == county.town_a
    row = AuditLog.objects.filter(target_type="accounts.user", target_id=str(user.pk)).last()
    assert row.actor is None and row.actor_username == "系统"


def test_a_county_contest_concerns_a_township_for_its_own_entrants(county, town_a_user):
    """A contest is `visible_to` its organizer's subtree; the contest list reaches above the
    scope (contest_visible_q), and inside it the township sees only its own entrants."""
    from zuzhi.contests import selectors as contest_selectors
    from zuzhi.contests.models import Contest, Entrant

    contest = Contest.objects.create(
        organization=county.county, name="村级十强", track="village", period_label="2026年"
    )
    mine = Entrant.objects.create(
        contest=contest, organization=county.village_a1, name="甲村", number=1
    )
    theirs = Entrant.objects.create(
        contest=contest, organization=county.village_b1, name="乙村", number=2
    )
    assert not Contest.objects.visible_to(town_a_user).exists()
    assert list(contest_selectors.contest_list(user=town_a_user)) == [contest]
    assert list(contest_selectors.entrant_list(user=town_a_user, contest=contest)) == [mine]
    before = denials()
    with pytest.raises(Http404):
        contest_selectors.entrant_get(user=town_a_user, contest=contest, pk=theirs.pk)
    assert denials() == before + 1


def test_a_star_award_is_visible_through_its_subject(county, town_a_user, town_b_user):
    """An organization's award through the organization, a member's through their branch."""
    from zuzhi.ratings import selectors as rating_selectors
    from zuzhi.ratings.models import StarAward, StarScheme
    from zuzhi.ratings.services import award_propose

    def first_star(code, proposer, subject):
        scheme = StarScheme.objects.get(code=code)
        return award_propose(
            actor=proposer,
            star=scheme.stars.first(),
            period=rating_selectors.current_period(scheme),
            subject=subject,
            evidence="事实依据",
        )

    village = first_star("five-star-branch", town_a_user, county.village_a1)
    member = first_star("ten-star-member", town_b_user, make_member(county.village_b1))
    assert list(StarAward.objects.visible_to(town_a_user)) == [village]
    assert list(StarAward.objects.visible_to(town_b_user)) == [member]
    assert set(StarAward.objects.visible_to(SYSTEM)) == {village, member}
    before = denials()
    with pytest.raises(Http404):
        rating_selectors.award_get_many(user=town_b_user, pks=[member.pk, village.pk])
    assert denials() == before + 1
    assert rating_selectors.award_get(user=town_a_user, pk=village.pk) == village
