"""The appointment form as print (干部任免审批表): what each page shows, ages at the form's
reference date, the résumé kept line for line, the photo, and who may print it."""

import datetime
import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from zuzhi.cadres.appointment_form import (
    FormDate,
    age_at,
    appointment_form_pdf,
    form_date,
    month_text,
    reference_date,
)
from zuzhi.cadres.models import FamilyMember
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import UserFactory, make_cadre, user_with_role, valid_id_number

RESUME = (
    "1996.09--2000.07  河南大学法学院法学专业学习\n"
    "2000.07--2008.12  示范县城关镇人民政府科员\n"
    "\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000（其间：2005.09--2007.07在中央党校函授学院学习）\n"
    "2008.12--         示范县城关镇党委副书记、镇长"
)
ID_NUMBER = valid_id_number(birth="19780512", sequence=17)


# --- ages and dates: pure ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        # To the month (the form's precision): a year older from the birth month on.
        (FormDate(1978, 5), FormDate(2026, 4), 47),
        (FormDate(1978, 5), FormDate(2026, 5), 48),
        (FormDate(1978, 5), FormDate(2026, 6), 48),
        # The day known on one side only: still to the month.
        (FormDate(1978, 5, 31), FormDate(2026, 5), 48),
        (FormDate(1978, 5), FormDate(2026, 5, 1), 48),
        # The day known on both sides: from the birthday itself.
        (FormDate(1978, 5, 12), FormDate(2026, 5, 11), 47),
        (FormDate(1978, 5, 12), FormDate(2026, 5, 12), 48),
        (FormDate(1978, 12, 31), FormDate(2026, 1, 1), 47),
        # Born in the reference month of the same year: 0; later: no age.
        (FormDate(2026, 5), FormDate(2026, 5), 0),
        (FormDate(2026, 6), FormDate(2026, 5), None),
        (None, FormDate(2026, 5), None),
    ],
)
def test_age_is_counted_in_completed_years_at_the_reference_date(birth, on, age):
    assert age_at(birth, on) == age


def test_dates_are_read_as_stored_and_shown_with_a_dot():
    assert form_date("197805") == FormDate(1978, 5)
    assert form_date("19780512") == FormDate(1978, 5, 12)
    assert form_date(datetime.date(1978, 5, 12)) == FormDate(1978, 5, 12)
    assert form_date("1978") is None
    assert form_date("197813") is None
    assert month_text("197805") == month_text("19780512") == "1978.05"
    assert month_text(datetime.date(1978, 5, 12)) == "1978.05"
    assert month_text("") == ""


def test_reference_date_is_the_forms_or_today_in_china():
    assert reference_date("202605") == FormDate(2026, 5)
    assert reference_date("20260512") == FormDate(2026, 5, 12)
    assert reference_date("", today=datetime.date(2026, 12, 5)) == FormDate(2026, 12, 5)


# --- the PDF ----------------------------------------------------------------------------------
def _photo(fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (40, 60, 120)).save(buffer, fmt)
    return buffer.getvalue()


def _cadre(org, **fields):
    data = {
        "name": "李明",
        "id_number": ID_NUMBER,
        "native_place": "河南示范",
        "birthplace": "河南示范",
        "party_joined": "199906",
        "work_started": "200007",
        "health": "健康",
        "professional_title": "经济师",
        "expertise": "熟悉基层治理",
        "full_time_education": "大学",
        "full_time_degree": "法学学士",
        "full_time_education_school": "河南大学法学院法学专业",
        "in_service_education": "研究生",
        "in_service_education_school": "中央党校经济管理专业",
        "current_post": "城关镇党委副书记、镇长",
        "proposed_post": "城关镇党委书记",
        "post_to_leave": "城关镇镇长",
        "resume": RESUME,
        "rewards_and_punishments": "2015年被评为优秀共产党员",
        "annual_assessments": "2024年度考核优秀",
        "appointment_reason": "工作需要",
        "submitting_unit": "中共示范县委组织部",
        "age_reference_date": "202605",
        "filled_by": "赵六",
        "filled_date": "202605",
        "phone": "13800138000",
    }
    data.update(fields)
    cadre = make_cadre(org, **data)
    # Saved out of order: the form lists them by position.
    FamilyMember.objects.create(
        cadre=cadre, position=2, relation="儿子", name="李小明", birth="200806",
        political_status="13", work_and_post="示范县第一中学学生",
    )  # fmt: skip
    FamilyMember.objects.create(
        cadre=cadre, position=1, relation="妻子", name="王芳", birth="198006",
        political_status="01", work_and_post="示范县第一中学教师",
    )  # fmt: skip
    return cadre


def _pages(content: bytes, mode: str = "-layout") -> list[str]:
    """The text of each page, as pdftotext lays it out (`-raw`: in the order drawn)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "form.pdf")
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", mode, str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    return text.split("\f")[:-1]


def _bbox_lines(content: bytes) -> list[tuple[float, str]]:
    """Each text line of the PDF with its left edge (mm from the page's left)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "form.pdf")
        path.write_bytes(content)
        html = subprocess.run(
            ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
    lines = []
    for x, inner in re.findall(r'<line xMin="([\d.]+)"[^>]*>(.*?)</line>', html, re.S):
        words = "".join(re.findall(r">([^<]*)</word>", inner))
        lines.append((float(x) * 25.4 / 72, words))
    return lines


@pytest.fixture
def cadre(county):
    return _cadre(county.town_a, photo=_photo())


def test_page_one_is_the_person_and_the_resume_page_two_the_rest(cadre):
    one, two = _pages(appointment_form_pdf([cadre]))
    for text in (
        "干部任免审批表",
        "李明",
        "男",
        "汉族",
        "1978.05",
        "（48岁）",  # born 1978-05, the form's reference date 2026-05
        "1999.06",
        "2000.07",
        "健康",
        "经济师",
        "熟悉基层治理",
        "法学学士",
        "河南大学法学院法学专业",
        "中央党校经济管理专业",
        "城关镇党委副书记、镇长",
        "城关镇党委书记",
        "拟免职务",
        "河南大学法学院法学专业学习",
    ):
        assert text in one, text
    for text in ("2015年被评为优秀共产党员", "2024年度考核优秀", "工作需要", "呈报", "王芳"):
        assert text not in one, text
        assert text in two, text
    for text in ("审批", "行政机关", "任免意见", "（盖章）", "填表人：赵六", "2026年5月"):
        assert text in two, text
    # Family in position order, ages at the form's reference date (2026-05, born 1980-06).
    assert re.search(r"妻子\s+王芳\s+45\s+中共党员\s+示范县第一中学教师", two)
    assert re.search(r"儿子\s+李小明\s+17\s+群众", two)
    assert two.index("王芳") < two.index("李小明")


def test_the_id_number_and_phone_are_not_printed(cadre):
    text = "".join(_pages(appointment_form_pdf([cadre])))
    assert ID_NUMBER not in text and ID_NUMBER[-6:] not in text
    assert "身份证" not in text and "13800138000" not in text


def test_without_a_reference_date_ages_are_at_today(county):
    cadre = _cadre(county.town_a, age_reference_date="")
    one, two = _pages(appointment_form_pdf([cadre], today=datetime.date(2026, 5, 11)))
    assert "（47岁）" in one  # the day is known on both sides: the birthday is tomorrow
    one, _ = _pages(appointment_form_pdf([cadre], today=datetime.date(2026, 5, 12)))
    assert "（48岁）" in one


def test_the_resume_keeps_its_lines_and_indentation(cadre):
    content = appointment_form_pdf([cadre])
    one = _pages(content)[0]
    # Each line of the résumé on a line of its own, in order (spaces aside: the text
    # extraction collapses them).
    lines = [re.sub(r"\s", "", line) for line in one.splitlines()]
    wanted = [re.sub(r"\s", "", line) for line in RESUME.splitlines()]
    assert [line for line in lines if line in wanted] == wanted
    left = {text: x for x, text in _bbox_lines(content)}
    first = next(x for text, x in left.items() if text.startswith("1996.09--2000.07"))
    during = next(x for text, x in left.items() if text.startswith("（其间"))
    # Nine full-width spaces at 11 pt: about 35 mm further right.
    assert 30 < during - first < 40


def test_a_long_resume_is_set_smaller_then_continued_on_an_attached_page(county):
    periods = [f"{1980 + i}.01--{1981 + i}.01  示范县第{i}号单位干部" for i in range(45)]
    cadre = _cadre(county.town_a, resume="\n".join(periods))
    pages = _pages(appointment_form_pdf([cadre]))
    assert len(pages) == 3
    assert "（续见附页）" in pages[0]
    assert "干部任免审批表（附页）" in pages[2] and "简历（续）" in pages[2]
    assert "2015年被评为优秀共产党员" in pages[1]  # page 2 is still the form's second page
    text = "".join(pages)
    for i in range(45):  # every line once, none lost or repeated at the turn
        assert text.count(f"第{i}号单位干部") == 1, i
    assert "第44号单位干部" in pages[2]


def test_a_résumé_that_fits_when_smaller_stays_on_the_form(county):
    periods = [f"{1980 + i}.01--{1981 + i}.01  示范县第{i}号单位干部" for i in range(30)]
    cadre = _cadre(county.town_a, resume="\n".join(periods))
    pages = _pages(appointment_form_pdf([cadre]))
    assert len(pages) == 2 and "第29号单位" in pages[0] and "附页" not in "".join(pages)


def _images(content: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "form.pdf")
        path.write_bytes(content)
        out = subprocess.run(
            ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
        ).stdout
    return out.splitlines()[2:]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_the_photo_is_embedded_on_page_one(county, fmt):
    cadre = _cadre(county.town_a, photo=_photo(fmt))
    images = _images(appointment_form_pdf([cadre]))
    assert len(images) == 1 and images[0].split()[0] == "1"  # on page 1


def test_a_damaged_photo_leaves_the_box_empty_and_the_form_printed(county):
    cadre = _cadre(county.town_a, photo=b"\xff\xd8not a jpeg")
    content = appointment_form_pdf([cadre])
    assert _images(content) == [] and len(_pages(content)) == 2


def test_a_batch_prints_one_form_after_another(county):
    first = _cadre(county.town_a)
    second = make_cadre(county.town_b, name="王刚", resume="2001.07--  示范县城郊乡干部")
    pages = _pages(appointment_form_pdf([first, second]))
    assert len(pages) == 4
    assert "李明" in pages[0] and "王刚" in pages[2] and "示范县城郊乡干部" in pages[2]


# --- who may print it -------------------------------------------------------------------------
def _denials() -> int:
    return AuditLog.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def test_the_cadre_section_opens_the_form_in_the_browser_audited(cadre, county, client):
    staff = user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")
    client.force_login(staff)
    response = client.get(reverse("cadres:appointment_form", args=[cadre.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "李明" in _pages(response.content)[0]
    row = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert row.actor == staff and "李明" in row.message and str(cadre.pk) in row.message
    assert row.org_path == county.town_a.path


def test_a_cadre_prints_their_own_form(cadre, client):
    own = UserFactory()
    cadre.user = own
    cadre.save()
    client.force_login(own)
    assert client.get(reverse("cadres:appointment_form", args=[cadre.pk])).status_code == 200
    other = make_cadre(cadre.organization, name="王刚", id_number=valid_id_number(sequence=5))
    before = _denials()
    assert client.get(reverse("cadres:appointment_form", args=[other.pk])).status_code == 404
    assert _denials() == before + 1


@pytest.mark.parametrize("who", ["town_a_user", "county_user", "branch_a1_user"])
def test_township_and_county_staff_get_the_logged_404(cadre, who, request, client):
    client.force_login(request.getfixturevalue(who))
    before = _denials()
    response = client.get(reverse("cadres:appointment_form", args=[cadre.pk]))
    assert response.status_code == 404
    assert _denials() == before + 1
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_cadre_section_of_a_township_does_not_print_another_townships(cadre, county, client):
    client.force_login(user_with_role(Role.CADRE_STAFF, county.town_b))
    assert client.get(reverse("cadres:appointment_form", args=[cadre.pk])).status_code == 404


def test_a_batch_is_one_pdf_in_the_order_ticked(cadre, county, client):
    second = make_cadre(county.town_b, name="王刚", id_number=valid_id_number(sequence=5))
    client.force_login(user_with_role(Role.CADRE_STAFF, county.county))
    url = reverse("cadres:appointment_forms")
    response = client.post(url, {"cadre": [second.pk, cadre.pk, second.pk]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    pages = _pages(response.content)
    assert len(pages) == 4 and "王刚" in pages[0] and "李明" in pages[2]
    row = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert "王刚、李明" in row.message and row.org_path == county.county.path


def test_a_batch_with_a_cadre_out_of_sight_is_the_logged_404(cadre, county, client):
    client.force_login(user_with_role(Role.CADRE_STAFF, county.town_a))
    elsewhere = make_cadre(county.town_b, name="王刚", id_number=valid_id_number(sequence=5))
    before = _denials()
    response = client.post(reverse("cadres:appointment_forms"), {"cadre": [cadre.pk, elsewhere.pk]})
    assert response.status_code == 404
    assert _denials() == before + 1
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_batch_needs_a_cadre_and_a_get_is_refused(cadre, county, client):
    client.force_login(user_with_role(Role.CADRE_STAFF, county.county))
    url = reverse("cadres:appointment_forms")
    response = client.post(url, {})
    assert response.status_code == 400 and "请选择" in response.content.decode()
    assert client.get(url).status_code == 405


def test_more_relatives_than_rows_go_on_to_the_attached_page(county):
    cadre = _cadre(county.town_a)
    for i in range(3, 10):
        FamilyMember.objects.create(cadre=cadre, position=i, relation="堂兄", name=f"李{i}号")
    pages = _pages(appointment_form_pdf([cadre]))
    assert len(pages) == 3
    # Nine relatives, seven rows: six of them, and a row saying where the rest are.
    assert "李6号" in pages[1] and "（续见附页）" in pages[1] and "李7号" not in pages[1]
    assert "家庭主要成员及重要社会关系（续）" in pages[2]
    assert all(f"李{i}号" in pages[2] for i in (7, 8, 9))


def test_no_line_begins_with_a_comma_or_a_full_stop(county):
    text = "2015年被评为示范县优秀共产党员；2019年度考核优秀，记三等功一次。" * 15
    content = appointment_form_pdf([_cadre(county.town_a, rewards_and_punishments=text)])
    starts = [line[:1] for _, line in _bbox_lines(content) if line]
    assert starts and not set(starts) & set("，。、；：）")


def test_a_field_too_long_for_its_cell_even_when_small_goes_on_the_attached_page(county):
    expertise = "熟悉党务" * 45 + "末尾"  # 182 characters in a 48 × 12.5 mm cell
    pages = _pages(appointment_form_pdf([_cadre(county.town_a, expertise=expertise)]), "-raw")
    assert len(pages) == 3
    assert "（续见附页）" in pages[0] and "末尾" not in pages[0]
    assert "熟悉专业有何专长（续）" in pages[2] and "末尾" in pages[2]
    shown = re.sub(r"\s|（续见附页）|熟悉专业有何专长（续）", "", pages[0] + pages[2])
    assert shown.count("熟悉党务") == 45  # every character printed once
