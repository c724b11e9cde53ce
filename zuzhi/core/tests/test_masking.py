from hypothesis import given
from hypothesis import strategies as st

from zuzhi.core.masking import mask_id_number, mask_phone


def test_examples_from_the_issue():
    assert mask_id_number("410102199001011234") == "410102********1234"
    assert mask_phone("13812345678") == "138****5678"


@given(st.from_regex(r"\A[1-9]\d{16}[\dX]\Z"))
def test_masked_id_hides_the_birth_date(value):
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert value[6:14] not in masked[6:14]
    assert masked[6:14] == "********"


@given(st.from_regex(r"\A1[3-9]\d{9}\Z"))
def test_masked_phone_hides_the_middle(value):
    masked = mask_phone(value)
    assert masked[3:7] == "****" and masked[:3] == value[:3] and masked[-4:] == value[-4:]


def test_empty_values():
    assert mask_phone("") == "" and mask_id_number(None) == ""
