"""Chinese text helpers."""

from pypinyin import Style, lazy_pinyin


def pinyin_initials(text: str) -> str:
    """拼音首字母, lower case: 城关镇 → cgz. Non-Chinese characters are kept."""
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")).lower()
