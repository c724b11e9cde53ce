"""The training pages as each role uses them."""

from django.urls import reverse

from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.testing.factories import UserFactory
from zuzhi.training.models import TrainingRecord

from .conftest import id_number


def test_a_cadre_sees_their_own_year(world, records, client_as):
    client = client_as(world.cadre_user)
    response = client.get(reverse("training:home"))
    assert response.status_code == 302 and response["Location"] == reverse("training:mine")
    body = client.get(reverse("training:mine"), {"year": 2026}).content.decode()
    assert "本年度学时 <strong>1</strong> / 50" in body
    assert world.course.title in body
    other = client.get(reverse("training:cadre", args=[world.cadre_b.pk]))
    assert other.status_code == 404
    assert client.get(reverse("training:progress")).status_code == 404


def test_a_user_without_role_or_record_has_no_training_pages(db, client_as):
    assert client_as(UserFactory()).get(reverse("training:home")).status_code == 404


def test_the_cadre_section_sees_units_and_people(world, records, client_as, county):
    client = client_as(world.cadre_staff)
    body = client.get(reverse("training:progress"), {"group": "cadres", "year": 2026})
    assert county.town_a.name in body.content.decode()
    body = client.get(
        reverse("training:progress"), {"group": "cadres", "year": 2026, "org": county.town_a.pk}
    ).content.decode()
    assert "李明" in body and "王芳" not in body
    assert "导入平台学习记录" in body


def test_county_staff_of_other_sections_see_no_cadre_records(
    world, records, client_as, county_user
):
    client = client_as(county_user)
    body = client.get(reverse("training:records"), {"group": "cadres", "year": 2026})
    text = body.content.decode()
    assert "张一" in text and "李明" not in text and "王芳" not in text
    assert client.get(reverse("training:cadre", args=[world.cadre_a.pk])).status_code == 404


def test_the_reminder_list_and_its_export(world, records, client_as):
    client = client_as(world.cadre_staff)
    body = client.get(reverse("training:short"), {"group": "cadres", "year": 2026}).content
    assert "李明" in body.decode() and "49" in body.decode()
    response = client.get(reverse("training:short_export"), {"group": "cadres", "year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_recording_a_completion_on_the_page(world, client_as, county_user):
    client = client_as(world.cadre_staff)
    response = client.post(
        reverse("training:record_create") + "?group=cadres",
        {
            "group": "cadres",
            "id_number": id_number(11).lower(),
            "course": world.short_course.pk,
            "completed_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.get().hours == 0.5
    # County staff look the number up among members only: a cadre is not found.
    response = client_as(county_user).post(
        reverse("training:record_create"),
        {
            "group": "cadres",
            "id_number": id_number(12),
            "course": world.course.pk,
            "completed_on": "2026-03-02",
        },
    )
    assert response.status_code == 200 and TrainingRecord.objects.count() == 1


def test_adding_a_course_and_setting_the_requirement(world, client_as):
    client = client_as(world.cadre_staff)
    response = client.post(
        reverse("training:courses"),
        {"title": "新课", "mode": "in_person", "minutes": 90, "year": 2026},
    )
    assert response.status_code == 302
    client.post(
        reverse("training:requirement"),
        {"group": "cadres", "year": 2026, "hours": "40", "courses": 0},
    )
    from zuzhi.training.selectors import requirement_for

    assert requirement_for(group="cadres", year=2026).hours == 40


def test_the_import_page_is_the_cadre_sections_and_the_organization_staffs(
    world, client_as, branch_a1_user
):
    url = reverse("imports:upload", args=["training"])
    body = client_as(world.cadre_staff).get(url, {"group": "cadres"}).content.decode()
    assert "学习记录" in body and 'name="group" value="cadres"' in body
    assert client_as(branch_a1_user).get(url).status_code == 404


def test_records_of_one_course(world, records, client_as):
    client = client_as(world.cadre_staff)
    url = reverse("training:records")
    body = client.get(url, {"group": "cadres", "year": 2026, "course": world.course.pk})
    assert "李明" in body.content.decode()
    empty = client.get(url, {"group": "cadres", "year": 2026, "course": world.short_course.pk})
    assert "李明" not in empty.content.decode()
    assert client.get(url, {"course": "abc"}).status_code == 404
