"""The province build's sealing helper (bench/sealing.py): clear values in, the stored columns
out, as the model fields would write them; columns that are not encrypted pass through."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from sealing import Sealer, stored_values

from zuzhi.core import crypto
from zuzhi.members.models import Member
from zuzhi.orgs.models import Organization
from zuzhi.tickets.models import TicketType

NUMBER = "410102198001011234"


def test_a_row_is_sealed_with_its_companions_after_the_given_columns():
    sealer = Sealer(Member, ["id", "id_number", "name", "phone"])
    assert sealer.columns == [
        "id",
        "id_number",
        "name",
        "phone",
        "id_number_index",
        "id_number_masked",
        "phone_index",
        "phone_masked",
    ]
    row = sealer.row((7, NUMBER, "张三", ""))
    field = Member._meta.get_field("id_number")
    assert crypto.decrypt(row[1], context=field.context) == NUMBER
    assert row[0] == 7 and row[2] == "张三" and row[3] == ""
    assert row[4:] == [crypto.blind_index("id_number", NUMBER), "410102********1234", "", ""]


def test_a_dict_of_clear_values_gives_the_stored_columns():
    stored = stored_values(Organization, {"name": "李庄村党支部", "secretary_phone": "13812345678"})
    field = Organization._meta.get_field("secretary_phone")
    assert crypto.decrypt(stored["secretary_phone"], context=field.context) == "13812345678"
    assert stored["secretary_phone_masked"] == "138****5678" and stored["name"] == "李庄村党支部"
    assert stored["secretary_phone_index"] == crypto.blind_index("phone", "13812345678")


def test_a_model_without_encrypted_fields_passes_through():
    sealer = Sealer(TicketType, ["id", "name"])
    assert sealer.columns == ["id", "name"] and sealer.row((1, "日常生活")) == (1, "日常生活")
    assert stored_values(TicketType, {"name": "日常生活"}) == {"name": "日常生活"}
