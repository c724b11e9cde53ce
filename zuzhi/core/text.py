"""Chinese text helpers."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=200_000)
def pinyin_initials(text: str) -> str:
    """拼音首字母, lower case: 城关镇 → cgz. Non-Chinese characters are kept.

    Cached: an import computes the same names in its preview and again when it writes."""
    return "".join(lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default")).lower()
