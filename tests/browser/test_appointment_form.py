"""Issue #13: the cadre officer prints a cadre's appointment form (干部任免审批表) and looks at
it: the PDF the browser receives is rendered to PNG, two pages, with the photo top right and
the text set in the CJK font."""

import io
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from zuzhi.cadres.models import FamilyMember
from zuzhi.core.roles import Role
from zuzhi.testing.factories import make_cadre, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DPI = 50
RED = (200, 30, 30)


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), RED).save(buffer, "PNG")
    return buffer.getvalue()


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of the box's pixels that are not white."""
    histogram = image.crop(box).convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def test_the_cadre_officer_prints_the_form_and_it_looks_like_the_official_one(
    page, live_server, login, county, tmp_path
):
    user_with_role(Role.CADRE_STAFF, county.county, username="cadre_officer")
    cadre = make_cadre(
        county.town_a,
        name="李明",
        current_post="城关镇党委副书记、镇长",
        resume="1996.09--2000.07  河南大学法学院法学专业学习\n2000.07--  城关镇人民政府科员",
        age_reference_date="202605",
        photo=_photo(),
    )
    FamilyMember.objects.create(cadre=cadre, position=1, relation="妻子", name="王芳")
    login(page, "cadre_officer")

    url = f"{live_server.url}{reverse('cadres:appointment_form', args=[cadre.pk])}"
    response = page.request.get(url)  # the browser's own session, as a click on the link
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(response.body())

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts  # the Chinese text is set in the embedded CJK font
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(Path(tmp_path).glob("p-*.png"))
    assert len(pngs) == 2  # the official form's two pages
    one, two = (Image.open(p).convert("RGB") for p in pngs)

    # Page 1: the title across the top, the photo in the box at the top right (the box is
    # 152.8–190 mm across, 32–82 mm down), the résumé's box ruled down to the bottom.
    assert _ink(one, (_px(60), _px(15), _px(150), _px(28))) > 0.05
    assert one.getpixel((_px(171), _px(57))) == pytest.approx(RED, abs=40)
    assert _ink(one, (_px(20), _px(100), _px(190), _px(282))) > 0.005
    assert _ink(one, (_px(25), _px(200), _px(185), _px(270))) < 0.02  # résumé box mostly blank
    # Page 2: the family table, the approval boxes: ruled, not blank, no photo.
    assert _ink(two, (_px(20), _px(15), _px(190), _px(282))) > 0.01
    assert all(
        two.getpixel((x, y)) != pytest.approx(RED, abs=40)
        for x in range(0, two.width, 10)
        for y in range(0, two.height, 10)
    )
