"""The résumé (简历) and the career rows (履历) it is made of.

The appointment form carries the résumé as one text, a line per period:
`1996.09--2000.07  河南大学法学院法学专业学习`, the current period with an open end
(`2021.06--         城关镇党委副书记`), and continuation lines (其间…) indented below the
period they belong to. Imported résumés are kept exactly as written; the career rows are read
from them so they can be searched and counted. Once someone edits the career, the résumé is
written from the rows in the same layout."""

import re
from dataclasses import dataclass

from .yearmonth import ym_display, ym_parse

_PERIOD = re.compile(
    r"^\s*(\d{4}\s*[.\-/年]\s*\d{1,2})\s*月?\s*[-—–~～至]+\s*"
    r"(\d{4}\s*[.\-/年]\s*\d{1,2})?\s*月?\s*(.*)$"
)
# Full-width spaces indent continuation lines to under the text of the period, as the
# official software writes them.
_INDENT = "\u3000" * 9


@dataclass
class CareerPeriod:
    start: str
    end: str
    text: str
    note: str = ""


def career_from_resume(resume: str) -> list[CareerPeriod]:
    """The periods of a résumé; lines before the first period and lines that are not a
    period are notes of the period above them."""
    periods: list[CareerPeriod] = []
    for line in resume.splitlines():
        match = _PERIOD.match(line)
        start = end = None
        if match:
            try:
                start = ym_parse(match[1])
                end = ym_parse(match[2]) if match[2] else ""
            except ValueError:
                start = None
        if start is not None:
            periods.append(CareerPeriod(start=start, end=end, text=match[3].strip()))
        elif line.strip() and periods:
            note = periods[-1].note
            periods[-1].note = f"{note}\n{line.strip()}" if note else line.strip()
    return periods


def resume_from_career(periods) -> str:
    """The résumé text of career rows (anything with start, end, unit, post, note)."""
    lines = []
    for p in periods:
        end = ym_display(p.end) if p.end else ""
        text = f"{getattr(p, 'unit', '')}{getattr(p, 'post', '') or getattr(p, 'text', '')}"
        lines.append(f"{ym_display(p.start)}--{end:<7}  {text}".rstrip())
        lines.extend(f"{_INDENT}{note}" for note in p.note.splitlines() if note.strip())
    return "\n".join(lines)
