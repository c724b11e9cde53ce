"""Nobody types a code: every form that names an organization chooses it with the picker,
a new organization's code is proposed, and phones are checked as phones (#12 §1)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from zuzhi.accounts.models import RoleGrant
from zuzhi.core.roles import Role
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.orgs.selectors import org_code_proposal
from zuzhi.testing.factories import OrganizationFactory, UserFactory, make_member, valid_id_number

from .test_picker import other_county  # noqa: F401 (a fixture)
from .test_views import form_data

PICKER = 'class="org-picker"'


# --- the organization form -------------------------------------------------------------------
def test_create_form_has_the_picker_a_proposed_code_and_no_edit_only_help(
    county, client_as, town_a_user
):
    client = client_as(town_a_user)
    body = client.get(reverse("orgs:create"), {"parent": county.town_a.pk}).content.decode()
    # The county above the township's scope is not named.
    assert PICKER in body and "已选：城关镇党委<" in body and "示范县委" not in body
    assert 'value="TA-01"' in body  # the first child's code
    assert "随之移动" not in body
    body = client.get(reverse("orgs:edit", args=[county.village_a1.pk])).content.decode()
    assert PICKER in body and "随之移动" in body


def test_a_code_left_empty_is_the_next_free_one(county, client_as, town_a_user):
    response = client_as(town_a_user).post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="", name="赵庄村党支部", parent=str(county.town_a.pk)),
    )
    assert response.status_code == 302
    assert Organization.objects.get(name="赵庄村党支部").code == "TA-01"


def test_the_proposal_follows_the_siblings_codes(county):
    town = county.town_a
    for code in ("TA-V001", "TA-V002", "TA-V007", "TA-F1"):
        OrganizationFactory(parent=town, code=code, name=f"{code}党支部")
    assert org_code_proposal(parent=town) == "TA-V008"
    OrganizationFactory(parent=county.town_b, code="TA-V008", name="编错了的支部")
    assert org_code_proposal(parent=town) == "TA-V009"  # a code taken anywhere is skipped
    assert org_code_proposal(parent=county.town_b) == "TB-01"


def test_the_parent_picker_refuses_an_organization_outside_the_scope(
    county, client_as, town_a_user
):
    response = client_as(town_a_user).post(
        reverse("orgs:create"),
        form_data(county.village_a1, code="X1", parent=str(county.town_b.pk)),
    )
    assert response.context["form"].errors["parent"] == ["请从列表中选择党组织。"]
    assert "城郊乡" not in response.content.decode()


@pytest.mark.parametrize("phone", ["0371-1234567", "1381234567", "12812345678", "电话"])
def test_the_secretarys_phone_must_be_a_mobile(county, client_as, town_a_user, phone):
    response = client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, secretary_phone=phone),
    )
    assert response.status_code == 200
    assert "不是手机号码：请填写 11 位手机号码" in response.content.decode()


def test_the_secretarys_phone_is_kept_as_eleven_digits(county, client_as, town_a_user):
    client_as(town_a_user).post(
        reverse("orgs:edit", args=[county.village_a1.pk]),
        form_data(county.village_a1, secretary_phone="138-1234-5678"),
    )
    county.village_a1.refresh_from_db()
    assert county.village_a1.secretary_phone == "13812345678"


def test_the_api_checks_the_secretarys_phone_and_proposes_the_code(county, api_as, town_a_user):
    client = api_as(town_a_user)
    payload = {"parent_id": county.town_a.pk, "name": "赵庄村党支部", "org_type": "branch"}
    response = client.post(
        "/api/orgs", {**payload, "secretary_phone": "6512345"}, content_type="application/json"
    )
    assert response.status_code == 400 and "secretary_phone" in response.json()["errors"]
    response = client.post("/api/orgs", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["code"] == "TA-01"


# --- member entry and transfer ---------------------------------------------------------------
MEMBER = {
    "name": "李四",
    "ethnicity": "01",
    "join_date": "2005-07-01",
    "status": "full",
    "category": "farmer",
}


def test_member_entry_chooses_the_branch_with_the_picker(county, client_as, town_a_user):
    client = client_as(town_a_user)
    body = client.get(reverse("members:create"), {"org": county.village_a1.pk}).content.decode()
    assert PICKER in body and "已选：李庄村党支部（城关镇党委）" in body
    assert 'for="id_organization_q"' in body
    data = MEMBER | {"organization": county.village_a1.pk, "id_number": valid_id_number()}
    assert client.post(reverse("members:create"), data).status_code == 302
    assert Member.objects.get().organization == county.village_a1


def test_member_entry_refuses_a_committee(county, client_as, town_a_user):
    data = MEMBER | {"organization": county.town_a.pk, "id_number": valid_id_number()}
    response = client_as(town_a_user).post(reverse("members:create"), data)
    assert response.context["form"].errors["organization"] == ["请从列表中选择党组织。"]


@pytest.mark.parametrize("phone", ["1381234567", "138123456789"])
def test_a_member_phone_of_the_wrong_length_is_refused(county, client_as, town_a_user, phone):
    data = MEMBER | {
        "organization": county.village_a1.pk,
        "id_number": valid_id_number(),
        "phone": phone,
    }
    body = client_as(town_a_user).post(reverse("members:create"), data).content.decode()
    assert "手机号码应为 11 位" in body and not Member.objects.exists()


def test_transfer_target_is_chosen_county_wide_but_not_beyond(
    county,
    client_as,
    town_a_user,
    other_county,  # noqa: F811
):
    member = make_member(county.village_a1, name="王小明")
    client = client_as(town_a_user)
    url = reverse("members:transfer", args=[member.pk])
    assert "mode=county" in client.get(url).content.decode()
    data = {"transfer_date": "2026-11-01", "reason": "迁居"}
    response = client.post(url, data | {"to_org_code": other_county.pk})
    assert response.context["form"].errors["to_org_code"] == ["请从列表中选择党组织。"]
    chosen = data | {"to_org_code": county.village_b1.pk}
    assert "确认转出" in client.post(url, chosen).content.decode()
    confirm = reverse("members:transfer_confirm", args=[member.pk])
    assert client.post(confirm, chosen).status_code == 302
    assert member.transfers.get().to_org == county.village_b1


# --- role grants -----------------------------------------------------------------------------
def test_the_system_administrator_grants_a_role_on_an_organization_found_by_name(
    county,
    client_as,
    sysadmin_user,
    other_county,  # noqa: F811
):
    account = UserFactory(username="clerk")
    client = client_as(sysadmin_user)
    url = reverse("accounts:account_detail", args=[account.pk])
    assert PICKER in client.get(url).content.decode()
    search = client.get(
        reverse("orgs:picker"),
        {
            "name": "grant-organization",
            "id": "id_grant-organization",
            "mode": "tree",
            "grant-organization_q": "lzc",
        },
    ).content.decode()
    assert "李庄村党支部" in search and "城关镇党委" in search and "李庄村第二" not in search
    grant = reverse("accounts:account_grant", args=[account.pk])
    refused = client.post(
        grant, {"grant-role": Role.BRANCH_SECRETARY, "grant-organization": other_county.pk}
    )
    assert "请从列表中选择党组织" in refused.content.decode()
    client.post(
        grant, {"grant-role": Role.BRANCH_SECRETARY, "grant-organization": county.village_a1.pk}
    )
    assert RoleGrant.objects.get(user=account).organization == county.village_a1


# --- contest entrants ------------------------------------------------------------------------
def test_a_contest_entrant_is_chosen_with_the_picker(county, county_user, client_as):
    from zuzhi.contests import services

    contest = services.contest_create(
        actor=county_user,
        organization=county.county,
        data={"name": "村级十强", "track": "village", "period_label": "2026"},
        stages=[{"kind": "public_report", "name": "评审", "weight": D(100)}],
    )
    client = client_as(county_user)
    body = client.get(reverse("contests:detail", args=[contest.pk])).content.decode()
    assert PICKER in body and "unit=community" in body and "unit=village" in body
    url = reverse("contests:entrant_add", args=[contest.pk])
    client.post(url, {"organization": ""})
    assert not contest.entrants.exists()
    client.post(url, {"organization": county.village_a1.pk})
    assert contest.entrants.get().organization == county.village_a1


def test_the_parent_picker_offers_no_branch(county, client_as, town_a_user):
    body = client_as(town_a_user).get(reverse("orgs:create")).content.decode()
    assert "type=general_branch" in body and "type=branch" not in body


# --- recruitment ----------------------------------------------------------------------------
def test_an_application_names_its_branch_with_the_picker_and_a_checked_phone(
    county, client_as, town_a_user
):
    from zuzhi.recruitment.models import Candidate

    client = client_as(town_a_user)
    assert PICKER in client.get(reverse("recruitment:apply")).content.decode()
    data = {
        "organization": county.village_a1.pk,
        "name": "赵小青",
        "id_number": valid_id_number("20000101", 222),
        "ethnicity": "01",
        "category": "farmer",
        "applied_on": "2022-03-01",
        "phone": "1381234567",
    }
    body = client.post(reverse("recruitment:apply"), data).content.decode()
    assert "手机号码应为 11 位" in body and not Candidate.objects.exists()
    client.post(reverse("recruitment:apply"), data | {"phone": "138 1234 5678"})
    assert Candidate.objects.get().phone == "13812345678"
