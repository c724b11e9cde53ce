"""The appointment form as print (干部任免审批表): the official two-page layout as PDF.

Page 1 is the table of the person (姓名 … 拟免职务, photo top right) and the résumé (简历);
page 2 rewards and punishments, assessments, the reason, family and social relations, the
submitting unit and the two approval boxes. Ages are computed at the form's reference date
(计算年龄时间), never stored. The ID number is not on the official form and is not printed.
Text too long for its box is first set smaller, then continued on an attached page (附页)
after the form, with a note in the box: nothing is cut off and nothing runs over a line.
"""

import datetime
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.http import HttpResponse

from zuzhi.core.codes import code_map
from zuzhi.core.export import cjk_pdf, pdf_document_response
from zuzhi.core.scope import PATH_STEP

TITLE = "干部任免审批表"
CHINA = ZoneInfo("Asia/Shanghai")
AUDIT_NAMES = 200  # a batch's audit row names at most this many cadres


# --- dates and ages --------------------------------------------------------------------------
@dataclass(frozen=True)
class FormDate:
    """A date at the form's precision: year and month, the day when it is known."""

    year: int
    month: int
    day: int | None = None


_DIGITS = re.compile(r"\A(\d{4})(\d{2})(\d{2})?\Z")


def form_date(value) -> FormDate | None:
    """`197805`, `19780512` (as stored) or a date; None when empty or not a date."""
    if isinstance(value, datetime.date):
        return FormDate(value.year, value.month, value.day)
    match = _DIGITS.match(str(value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return FormDate(int(match[1]), int(match[2]), int(match[3]) if match[3] else None)


def age_at(birth: FormDate | None, on: FormDate) -> int | None:
    """Completed years at `on`. The form counts in months: a person is a year older from the
    first day of their birth month; when both dates give the day, from the birthday itself."""
    if birth is None:
        return None
    age = on.year - birth.year
    if birth.day is not None and on.day is not None:
        age -= (on.month, on.day) < (birth.month, birth.day)
    else:
        age -= on.month < birth.month
    return age if age >= 0 else None


def reference_date(value: str, *, today: datetime.date | None = None) -> FormDate:
    """The form's 计算年龄时间, or today in China when the form has none."""
    return form_date(value) or form_date(today or datetime.datetime.now(CHINA).date())


def month_text(value) -> str:
    """`197805` or `19780512` → `1978.05`, as the form shows year-month dates."""
    date = form_date(value)
    return f"{date.year}.{date.month:02d}" if date else str(value or "")


# --- what the form shows ---------------------------------------------------------------------
@dataclass(frozen=True)
class Relative:
    relation: str
    name: str
    age: str
    political_status: str
    work_and_post: str


@dataclass(frozen=True)
class FormContent:
    """The form's texts, as printed."""

    name: str
    gender: str
    birth: str  # 1978.05\n（47岁）
    ethnicity: str
    native_place: str
    birthplace: str
    party_joined: str
    work_started: str
    health: str
    professional_title: str
    expertise: str
    full_time: str
    full_time_school: str
    in_service: str
    in_service_school: str
    current_post: str
    proposed_post: str
    post_to_leave: str
    resume: str
    rewards_and_punishments: str
    annual_assessments: str
    appointment_reason: str
    family: list[Relative]
    submitting_unit: str
    filled_by: str
    filled_date: str
    photo: bytes


def _code(table: str, value: str) -> str:
    """A code's name; a value written as text (as imported) is shown as it is."""
    return code_map(table).get(value, value) if value else ""


def _lines(*values: str) -> str:
    """Education and degree (or their schools) one per line; one line when they are the same."""
    return "\n".join(dict.fromkeys(v for v in values if v))


def form_content(cadre, *, today: datetime.date | None = None) -> FormContent:
    on = reference_date(cadre.age_reference_date, today=today)
    age = age_at(form_date(cadre.birth_date), on)
    birth = month_text(cadre.birth_date) + (f"\n（{age}岁）" if age is not None else "")
    party = "；".join(v for v in (month_text(cadre.party_joined), cadre.party_joined_note) if v)
    family = []
    for relative in cadre.family.all():
        relative_age = age_at(form_date(relative.birth), on)
        family.append(
            Relative(
                relation=_code("GB4761", relative.relation),
                name=relative.name,
                age="" if relative_age is None else str(relative_age),
                political_status=_code("GB4762", relative.political_status),
                work_and_post=relative.work_and_post,
            )
        )
    filled = form_date(cadre.filled_date)
    return FormContent(
        name=cadre.name,
        gender=_code("GB22611", cadre.gender),
        birth=birth,
        ethnicity=_code("GB3304", cadre.ethnicity),
        native_place=cadre.native_place,
        birthplace=cadre.birthplace,
        party_joined=party,
        work_started=month_text(cadre.work_started),
        health=_code("GB22613", cadre.health),
        professional_title=cadre.professional_title,
        expertise=cadre.expertise,
        full_time=_lines(cadre.full_time_education, cadre.full_time_degree),
        full_time_school=_lines(cadre.full_time_education_school, cadre.full_time_degree_school),
        in_service=_lines(cadre.in_service_education, cadre.in_service_degree),
        in_service_school=_lines(cadre.in_service_education_school, cadre.in_service_degree_school),
        current_post=cadre.current_post,
        proposed_post=cadre.proposed_post,
        post_to_leave=cadre.post_to_leave,
        resume=cadre.resume,
        rewards_and_punishments=cadre.rewards_and_punishments,
        annual_assessments=cadre.annual_assessments,
        appointment_reason=cadre.appointment_reason,
        family=family,
        submitting_unit=cadre.submitting_unit,
        filled_by=cadre.filled_by,
        filled_date=f"{filled.year}年{filled.month}月" if filled else "",
        photo=bytes(cadre.photo or b""),
    )


def appointment_form_pdf(cadres: Iterable, *, today: datetime.date | None = None) -> bytes:
    """The forms of `cadres` (found by the caller in the user's scope), one after another in
    one PDF. The API and the pages both print through this."""
    pdf = cjk_pdf()
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(TITLE)
    for cadre in cadres:
        _Form(pdf, form_content(cadre, today=today)).draw()
    return bytes(pdf.output())


# --- layout (mm on A4 portrait) --------------------------------------------------------------
LEFT, TOP, BOTTOM = 20.0, 15.0, 282.0
# The official form's seven columns (label, value, label, value, label, value, photo), in
# proportion to the Word template of the appointment-form software, 170 mm wide in all.
COLS = (18.5, 23.6, 19.2, 23.6, 23.8, 24.1, 37.2)
WIDTH = sum(COLS)
X = [LEFT + sum(COLS[:i]) for i in range(len(COLS) + 1)]
PAD = 1.6
LABEL_PT, VALUE_PT, MIN_PT = 11.0, 11.0, 7.0
TEXT_PT, MIN_TEXT_PT = 11.0, 8.0  # the big text boxes: résumé, rewards, reasons
BLANK = "\u3000"
STAMP = ("（盖章）", f"{BLANK * 2}年{BLANK}月{BLANK}日")
CONTINUED = "（续见附页）"
_HANG = re.compile(r"[ \u3000\t]*(?:\d{4}[.\d]*\s*[-—－~～至]+\s*(?:\d{4}[.\d]*)?[ \u3000\t]*)?")
# Punctuation that may not begin a line in Chinese typesetting (避头点号).
NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)")
FAMILY_COLS = (15.0, 20.0, 12.0, 24.0, WIDTH - COLS[0] - 71.0)
FAMILY_ROWS = 7
FAMILY_HEADERS = ("称谓", "姓名", "年龄", "政治面貌", "工作单位及职务")


def _mm(pt: float) -> float:
    return pt * 25.4 / 72


def _leading(pt: float) -> float:
    return _mm(pt) * 1.45


@dataclass(frozen=True)
class _Line:
    indent: float
    text: str
    cont: bool = False  # goes on from the line above (a line broken to fit)


class _Form:
    """One cadre's form drawn on `pdf`: two pages, and attached pages for what overflowed."""

    def __init__(self, pdf, content: FormContent):
        self.pdf = pdf
        self.c = content
        # (label, text) of what did not fit, for the attached page.
        self.overflow: list[tuple[str, str]] = []

    def draw(self) -> None:
        self._page_one()
        self._page_two()
        self._attached_pages()

    # -- page 1 --
    def _page_one(self) -> None:
        pdf, c = self.pdf, self.c
        pdf.add_page()
        pdf.set_font("cjk", size=22)
        with pdf.local_context():
            pdf.set_char_spacing(6)
            pdf.set_xy(LEFT, TOP)
            pdf.cell(WIDTH, 12, TITLE, align="C")
        y = TOP + 17
        row = 12.5
        top = y
        for cells in (
            (("姓名", c.name), ("性别", c.gender), ("出生年月\n（　岁）", c.birth)),
            (("民族", c.ethnicity), ("籍贯", c.native_place), ("出生地", c.birthplace)),
            (
                ("入党时间", c.party_joined),
                ("参加工作时间", c.work_started),
                ("健康状况", c.health),
            ),
        ):
            for i, (label, value) in enumerate(cells):
                self._label(X[2 * i], y, COLS[2 * i], row, label)
                self._value(X[2 * i + 1], y, COLS[2 * i + 1], row, value, label=label)
            y += row
        self._label(X[0], y, COLS[0], row, "专业技术职务")
        self._value(X[1], y, X[3] - X[1], row, c.professional_title, label="专业技术职务")
        self._label(X[3], y, COLS[3], row, "熟悉专业有何专长")
        self._value(X[4], y, X[6] - X[4], row, c.expertise, label="熟悉专业有何专长")
        y += row
        self._photo(X[6], top, COLS[6], y - top)

        edu = 13.0
        self._label(X[0], y, COLS[0], 2 * edu, "学历\n学位")
        for kind, value, school in (
            ("全日制\n教育", c.full_time, c.full_time_school),
            ("在职\n教育", c.in_service, c.in_service_school),
        ):
            self._label(X[1], y, COLS[1], edu, kind)
            kind = kind.replace("\n", "")
            self._value(X[2], y, X[4] - X[2], edu, value, label=f"{kind}学历学位")
            self._label(X[4], y, COLS[4], edu, "毕业院校\n系及专业")
            self._value(
                X[5], y, X[7] - X[5], edu, school, align="L", label=f"{kind}毕业院校系及专业"
            )
            y += edu

        for label, value in (
            ("现任职务", c.current_post),
            ("拟任职务", c.proposed_post),
            ("拟免职务", c.post_to_leave),
        ):
            # A long post list makes its row taller; the résumé takes what is left.
            height = max(10.0, self._height(value, X[7] - X[2], VALUE_PT) + 2 * PAD)
            self._label(X[0], y, X[2] - X[0], height, label)
            self._value(X[2], y, X[7] - X[2], height, value, align="L", label=label)
            y += height

        self._label(X[0], y, COLS[0], BOTTOM - y, "简\n\n\n\n历", spaced=True)
        self._text(X[1], y, WIDTH - COLS[0], BOTTOM - y, c.resume, "简历")
        self._outline(TOP + 17, BOTTOM)

    # -- page 2 --
    def _page_two(self) -> None:
        pdf, c = self.pdf, self.c
        pdf.add_page()
        y = TOP
        for label, value, height in (
            ("奖\n惩\n情\n况", c.rewards_and_punishments, 36.0),
            ("年度考\n核结果", c.annual_assessments, 22.0),
            ("任\n免\n理\n由", c.appointment_reason, 24.0),
        ):
            self._label(X[0], y, COLS[0], height, label, spaced=True)
            self._text(X[1], y, WIDTH - COLS[0], height, value, label.replace("\n", ""))
            y += height

        row = 9.0
        # More relatives than rows: the last row says the rest are on the attached page.
        more = len(c.family) > FAMILY_ROWS
        shown = c.family[: FAMILY_ROWS - 1] if more else c.family
        self._label(
            X[0], y, COLS[0], row * (FAMILY_ROWS + 1), "家庭主要成员及重要社会关系", spaced=True
        )
        x = X[1]
        for width, header in zip(FAMILY_COLS, FAMILY_HEADERS, strict=True):
            self._label(x, y, width, row, header)
            x += width
        y += row
        for i in range(FAMILY_ROWS):
            values = ("", "", "", "", CONTINUED if more else "")
            who = ""
            if i < len(shown):
                r = shown[i]
                values = (r.relation, r.name, r.age, r.political_status, r.work_and_post)
                who = f"{r.relation}{r.name}"
            x = X[1]
            for j, (width, value) in enumerate(zip(FAMILY_COLS, values, strict=True)):
                align = "L" if j == 4 else "C"
                label = f"{who}的{FAMILY_HEADERS[j]}"
                self._value(x, y, width, row, value, align=align, label=label)
                x += width
            y += row
        if more:
            rest = "\n".join(
                f"{r.relation}　{r.name}　{r.age}　{r.political_status}　{r.work_and_post}"
                for r in c.family[len(shown) :]
            )
            self.overflow.append(("家庭主要成员及重要社会关系", rest))

        height = 28.0
        self._label(X[0], y, COLS[0], height, "呈报\n单位")
        self._text(
            X[1], y, WIDTH - COLS[0], height - 16, c.submitting_unit, "呈报单位", border=False
        )
        self._stamp(X[1], y, WIDTH - COLS[0], height)
        y += height

        height = BOTTOM - 10 - y
        half = X[3]
        self._label(X[0], y, COLS[0], height, "审批\n机关\n意见", spaced=True)
        self._stamp(X[1], y, half - X[1], height)
        self._label(X[3], y, COLS[3], height, "行政机关\n任免意见", spaced=True)
        self._stamp(X[4], y, X[7] - X[4], height)
        self._outline(TOP, y + height)

        pdf.set_font("cjk", size=LABEL_PT)
        pdf.set_xy(LEFT, y + height + 2)
        pdf.cell(WIDTH / 2, 7, f"填表人：{c.filled_by}")
        pdf.cell(WIDTH / 2, 7, f"填表时间：{c.filled_date}", align="R")

    # -- attached pages --
    def _attached_pages(self) -> None:
        """Each overflowing text goes on, the page's full width, on pages after the form."""
        if not self.overflow:
            return
        pdf = self.pdf
        pdf.add_page()
        pdf.set_font("cjk", size=16)
        pdf.set_xy(LEFT, TOP)
        pdf.cell(WIDTH, 10, f"{TITLE}（附页）", align="C")
        pdf.set_font("cjk", size=LABEL_PT)
        pdf.set_xy(LEFT, TOP + 11)
        pdf.cell(WIDTH, 7, f"姓名：{self.c.name}")
        y = TOP + 20
        pt = TEXT_PT
        for label, text in self.overflow:
            if y + 2 * _leading(LABEL_PT) > BOTTOM:
                pdf.add_page()
                y = TOP
            pdf.set_font("cjk", size=LABEL_PT)
            pdf.set_xy(LEFT, y)
            pdf.cell(WIDTH, 7, f"{label}（续）")
            y += 8
            for line in self._wrap(text, WIDTH - 2 * PAD, pt):
                if y + _leading(pt) > BOTTOM:
                    pdf.add_page()
                    y = TOP
                self._line(LEFT + PAD, y, pt, line)
                y += _leading(pt)
            y += 4

    # -- cells --
    def _label(self, x, y, w, h, text, *, spaced: bool = False) -> None:
        self.pdf.rect(x, y, w, h)
        lines = self._wrap(text, w - 2 * PAD, LABEL_PT)
        if spaced and len(lines) > 1:
            # Tall label cells spread their lines over the cell, as the printed form does.
            gap = min((h - 2 * PAD) / len(lines), _leading(LABEL_PT) * 1.6)
            self._block(x, y, w, h, lines, LABEL_PT, align="C", leading=gap)
        else:
            self._fit(x, y, w, h, text, LABEL_PT, align="C")

    def _value(self, x, y, w, h, text, *, label: str, align: str = "C") -> None:
        self.pdf.rect(x, y, w, h)
        self._fit(x, y, w, h, text, VALUE_PT, align=align, label=label)

    def _fit(self, x, y, w, h, text, pt, *, align: str, label: str = "") -> None:
        """Text centred in its cell, set smaller until it fits; what does not fit even at
        MIN_PT goes on the attached page under `label`."""
        if not text:
            return
        size = pt
        lines = self._wrap(text, w - 2 * PAD, size)
        while len(lines) * _leading(size) > h - PAD and size > MIN_PT:
            size -= 0.5
            lines = self._wrap(text, w - 2 * PAD, size)
        room = max(int((h - PAD) // _leading(size)), 1)
        if len(lines) > room:
            self.overflow.append((label.replace("\n", ""), _unwrap(lines[room - 1 :])))
            lines = [*lines[: room - 1], _Line(0, CONTINUED)]
        self._block(x, y, w, h, lines, size, align=align)

    def _block(self, x, y, w, h, lines, pt, *, align, leading=None) -> None:
        leading = leading or _leading(pt)
        top = y + (h - leading * len(lines)) / 2
        self.pdf.set_font("cjk", size=pt)
        for i, line in enumerate(lines):
            width = self.pdf.get_string_width(line.text) + line.indent
            left = x + PAD if align == "L" else x + (w - width) / 2
            self._line(left, top + i * leading, pt, line, leading)

    def _text(self, x, y, w, h, text, label, *, border: bool = True) -> None:
        """A big text box (résumé, rewards…): top-left, its line breaks and indentation
        kept; set smaller down to MIN_TEXT_PT, then continued on the attached page."""
        if border:
            self.pdf.rect(x, y, w, h)
        if not text:
            return
        size = TEXT_PT
        while True:
            lines = self._wrap(text, w - 2 * PAD, size)
            room = int((h - 2 * PAD) // _leading(size))
            if len(lines) <= room or size <= MIN_TEXT_PT:
                break
            size -= 0.5
        if len(lines) > room:
            keep = max(room - 1, 0)  # the last line of the box says where the text goes on
            self.overflow.append((label, _unwrap(lines[keep:])))
            lines = [*lines[:keep], _Line(0, CONTINUED)]
        for i, line in enumerate(lines):
            self._line(x + PAD, y + PAD + i * _leading(size), size, line)

    def _stamp(self, x, y, w, h) -> None:
        """The seal and the date, to be filled in by hand, at the bottom right of a box."""
        self.pdf.rect(x, y, w, h)
        self.pdf.set_font("cjk", size=LABEL_PT)
        for i, line in enumerate(reversed(STAMP)):
            self.pdf.set_xy(x, y + h - PAD - (i + 1) * 7)
            self.pdf.cell(w - 6, 7, line, align="R")

    def _photo(self, x, y, w, h) -> None:
        self.pdf.rect(x, y, w, h)
        if not self.c.photo:
            return
        inset = 1.0
        try:
            self.pdf.image(
                io.BytesIO(self.c.photo),
                x=x + inset,
                y=y + inset,
                w=w - 2 * inset,
                h=h - 2 * inset,
                keep_aspect_ratio=True,
            )
        except (OSError, ValueError, SyntaxError):
            # A damaged photo leaves the box empty rather than losing the whole form.
            return

    def _outline(self, top, bottom) -> None:
        """The official form's heavier outer border."""
        with self.pdf.local_context():
            self.pdf.set_line_width(0.6)
            self.pdf.rect(LEFT, top, WIDTH, bottom - top)

    # -- text --
    def _line(self, x, y, pt, line: _Line, leading=None) -> None:
        """One line at (x, y) = its box's top left; drawn as is, so indentation stays."""
        leading = leading or _leading(pt)
        self.pdf.set_font("cjk", size=pt)
        baseline = y + (leading - _mm(pt)) / 2 + _mm(pt) * 0.88
        self.pdf.text(x + line.indent, baseline, line.text)

    def _height(self, text, w, pt) -> float:
        return len(self._wrap(text, w - 2 * PAD, pt)) * _leading(pt)

    def _wrap(self, text: str, width: float, pt: float) -> list[_Line]:
        """Lines as written, each broken by character where it is too wide; a broken line
        goes on under its text, past the leading dates or indentation (悬挂缩进)."""
        self.pdf.set_font("cjk", size=pt)
        measure = self.pdf.get_string_width
        out: list[_Line] = []
        for source in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            source = source.rstrip()
            hang = measure(_HANG.match(source)[0])
            if hang > width / 2:
                hang = 0.0
            indent, rest, cont = 0.0, source, False
            while True:
                room = width - indent
                if measure(rest) <= room:
                    out.append(_Line(indent, rest, cont=cont))
                    break
                cut = _fits(measure, rest, room)
                if cut > 1 and rest[cut] in NO_LINE_START:
                    cut -= 1  # 避头: the character before goes down with the punctuation
                out.append(_Line(indent, rest[:cut], cont=cont))
                rest, indent, cont = rest[cut:], hang, True
        while out and not out[-1].text:
            out.pop()
        return out


def _unwrap(lines: list[_Line]) -> str:
    """The text of wrapped lines, with its own line breaks only."""
    text = ""
    for line in lines:
        text += line.text if line.cont else ("\n" if text else "") + line.text
    return text


def _fits(measure, text: str, room: float) -> int:
    """How many characters of `text` fit in `room` (at least one, so a line always moves)."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if measure(text[:mid]) <= room:
            low = mid
        else:
            high = mid - 1
    return low


# --- the audited download --------------------------------------------------------------------
def appointment_form_download(*, user, cadres: list, inline: bool = False) -> HttpResponse:
    """The forms as a PDF response, the print written to the audit log (who printed whose
    form: the form is a full record). `cadres` were found in the user's scope."""
    names = "、".join(c.name for c in cadres[:AUDIT_NAMES])
    more = f"等 {len(cadres)} 人" if len(cadres) > AUDIT_NAMES else ""
    ids = "、".join(str(c.pk) for c in cadres[:AUDIT_NAMES])
    paths = [c.organization.path for c in cadres]
    common = os.path.commonprefix(paths)
    return pdf_document_response(
        actor=user,
        filename=f"{TITLE}-{cadres[0].name}" if len(cadres) == 1 else f"{TITLE}-{len(cadres)}份",
        content=appointment_form_pdf(cadres),
        target_type="cadres.cadre",
        message=f"打印{TITLE}：{names}{more}（编号 {ids}）",
        # The deepest organization holding every cadre printed.
        org_path=common[: len(common) // PATH_STEP * PATH_STEP],
        inline=inline,
    )
