"""A county's zip of `.lrmx` files costs the same few queries whatever its size (#13 part 3,
bench/lrmx.py): reading the registry is not one query per file."""

import io
import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zuzhi.cadres import lrmx
from zuzhi.cadres.lrmx_import import lrmx_confirm, lrmx_export_zip, lrmx_upload
from zuzhi.cadres.models import Cadre
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.roles import Role
from zuzhi.testing.factories import user_with_role

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def forms() -> dict[str, bytes]:
    """The sample files that carry an ID number, each with its family."""
    files = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.lrmx"))}
    return {n: d for n, d in files.items() if lrmx.parse(d).id_number and lrmx.parse(d).family}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def selects(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return sum(1 for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT"))


@pytest.fixture
def officer(county):
    return user_with_role(Role.CADRE_STAFF, county.county)


def test_previewing_registered_cadres_reads_the_registry_once_not_per_file(county, officer):
    files = forms()
    assert len(files) >= 2
    lrmx_confirm(
        actor=officer,
        upload=lrmx_upload(
            actor=officer, filename="a.zip", content=zip_of(files), organization=county.town_a
        ),
    )
    one = dict(list(files.items())[:1])

    def preview(chosen):
        return lambda: lrmx_upload(
            actor=officer, filename="b.zip", content=zip_of(chosen), organization=county.town_a
        )

    assert selects(preview(files)) == selects(preview(one))


def test_exporting_a_zip_reads_the_cadres_in_a_few_queries_and_audits_each(county, officer):
    lrmx_confirm(
        actor=officer,
        upload=lrmx_upload(
            actor=officer, filename="a.zip", content=zip_of(forms()), organization=county.town_a
        ),
    )
    # As the list page passes them: without photo and file.
    cadres = list(Cadre.objects.defer("photo", "lrmx_source").order_by("pk"))
    assert len(cadres) >= 2
    single = selects(lambda: lrmx_export_zip(actor=officer, cadres=cadres[:1]))
    assert selects(lambda: lrmx_export_zip(actor=officer, cadres=cadres)) == single
    exported = AuditLog.objects.filter(action=AuditAction.EXPORT, target_type="cadres.cadre")
    assert exported.count() == 1 + len(cadres)
