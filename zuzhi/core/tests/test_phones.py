import pytest
from django.core.exceptions import ValidationError

from zuzhi.core.phones import MOBILE_MESSAGE, phone_clean


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("", ""),
    ],
)
def test_a_mobile_is_kept_as_its_eleven_digits(typed, stored):
    assert phone_clean(typed) == stored
    assert phone_clean(typed, landline=True) == stored


@pytest.mark.parametrize(
    "typed", ["1381234567", "138123456789", "12812345678", "0377-6512345", "6512345", "电话"]
)
def test_a_mobile_only_field_refuses_anything_else_in_chinese(typed):
    with pytest.raises(ValidationError) as caught:
        phone_clean(typed)
    assert caught.value.messages == [f"“{typed}”不是手机号码：{MOBILE_MESSAGE}"]


def test_a_landline_field_takes_an_area_coded_landline_and_says_what_is_wrong():
    assert phone_clean("(0377)6512345", landline=True) == "0377-6512345"
    with pytest.raises(ValidationError) as caught:
        phone_clean("1381234567", landline=True)
    assert "手机号码应为 11 位（现为 10 位）" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        phone_clean("6512345", landline=True)
    assert "缺少区号" in caught.value.messages[0]
