"""The person behind an ID number in the member (党员) and cadre (干部) registries: what a
candidate's record takes from there ("nothing typed twice"). Looked up by the full number
the clerk typed, so it tells them nothing about anyone they could not name already; the
personal fields of the policy (ID number, phone) are not shown by the form's hint."""

from zuzhi.cadres.models import Cadre
from zuzhi.core import idnumber
from zuzhi.members.models import Member

# Taken from the registry record when it has them.
REGISTRY_FIELDS = ("name", "gender", "birth_date", "education", "phone")


def registry_person(id_number: str) -> dict:
    """The member and cadre records of an ID number and the person fields they hold (the
    member's first: the registry the township keeps)."""
    number = idnumber.normalize(id_number)
    member = Member.objects.filter(id_number=number).first()
    cadre = Cadre.objects.filter(id_number=number).first()
    fields: dict = {}
    for record in (member, cadre):
        if record is None:
            continue
        for name in REGISTRY_FIELDS:
            value = getattr(record, name, None)
            if value and name not in fields:
                fields[name] = value
    return {"member": member, "cadre": cadre, "fields": fields}
