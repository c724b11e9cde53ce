"""`/api/cadres` (#13 part 9, contract): list, detail, create, patch, history, `.lrmx` out
and in (with dry_run), and the 404 for everyone outside the cadre section."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.cadres.models import Cadre, LrmxImport
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role, valid_id_number

pytestmark = pytest.mark.django_db
SAMPLE = (Path(__file__).parent / "data" / "standard.lrmx").read_bytes()


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")


def test_list_detail_create_patch_history(api_as, county, officer):
    api = api_as(officer)
    made = make_cadre(county.town_a, name="曾国华")
    listed = api.get("/api/cadres?q=zgh").json()
    assert [c["name"] for c in listed["items"]] == ["曾国华"] and listed["items"][0][
        "has_photo"
    ] is False
    assert api.get(f"/api/cadres/{made.pk}").json()["id_number"] == made.id_number
    created = api.post(
        "/api/cadres",
        {
            "organization_id": county.town_b.pk,
            "name": "孙立华",
            "id_number": valid_id_number(sequence=9),
            "work_started": "1999.07",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    new_id = created.json()["id"]
    assert created.json()["work_started"] == "199907"
    patched = api.patch(
        f"/api/cadres/{new_id}", {"current_post": "副镇长"}, content_type="application/json"
    )
    assert patched.json()["current_post"] == "副镇长"
    history = api.get(f"/api/cadres/{new_id}/history").json()["items"]
    assert {h["action"] for h in history} == {"create", "update"}
    bad = api.post(
        "/api/cadres",
        {
            "organization_id": county.town_b.pk,
            "name": "重复",
            "id_number": valid_id_number(sequence=9),
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "一人只能有一份" in bad.json()["errors"]["id_number"][0]


def test_lrmx_dry_run_writes_nothing_then_the_import_and_the_file(api_as, county, officer):
    api = api_as(officer)
    preview = api.post(
        "/api/cadres/lrmx",
        {
            "file": SimpleUploadedFile("a.lrmx", SAMPLE),
            "organization_id": county.town_a.pk,
            "dry_run": "true",
        },
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["items"][0]["outcome"] == "new" and not Cadre.objects.exists()
    assert not LrmxImport.objects.exists()  # a dry run keeps nothing, not even the file
    done = api.post(
        "/api/cadres/lrmx",
        {"file": SimpleUploadedFile("a.lrmx", SAMPLE), "organization_id": county.town_a.pk},
    )
    assert done.status_code == 201 and done.json()["summary"]["new"] == 1
    cadre = Cadre.objects.get()
    assert api.get(f"/api/cadres/{cadre.pk}/lrmx").content == SAMPLE
    broken = api.post(
        "/api/cadres/lrmx",
        {"file": SimpleUploadedFile("b.lrmx", b"<Person>"), "organization_id": county.town_a.pk},
    )
    assert broken.status_code == 400 and broken.json()["errors"]["b.lrmx"]


@pytest.mark.parametrize("role", [Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY])
def test_outside_the_cadre_section_everything_is_not_found(api_as, county, role):
    cadre = make_cadre(county.town_a)
    api = api_as(user_with_role(role, county.town_a))
    assert api.get("/api/cadres").status_code == 404
    assert api.get(f"/api/cadres/{cadre.pk}").status_code == 404
    assert api.get(f"/api/cadres/{cadre.pk}/lrmx").status_code == 404
    assert (
        api.patch(
            f"/api/cadres/{cadre.pk}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/cadres/lrmx",
            {"file": SimpleUploadedFile("a.lrmx", SAMPLE), "organization_id": county.town_a.pk},
        ).status_code
        == 404
    )
