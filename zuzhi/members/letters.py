"""The introduction letter of a transfer (中国共产党党员组织关系介绍信), laid out as the printed
form: the stub (存根) the sending side keeps, the letter the member carries to the receiving
organization, and the receipt (回执) that organization sends back, cut apart along dashed lines
and bound together by one number (字第 号)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone

from zuzhi.core.codes import code_map
from zuzhi.core.export import cjk_pdf, pdf_document_response
from zuzhi.core.masking import mask_id_number
from zuzhi.core.personal import personal_document
from zuzhi.core.scope import path_in_scope

from .models import MemberStatus, MemberTransfer, TransferStatus

# The letter is printed while the transfer waits and kept printable once accepted; a returned
# or withdrawn transfer has no letter to carry.
PRINTABLE = (TransferStatus.PENDING, TransferStatus.ACCEPTED)
VALID_DAYS = 30
STANDINGS = {MemberStatus.FULL: "正式", MemberStatus.PROBATIONARY: "预备"}
DIGITS = "〇一二三四五六七八九"
BLANK = "\u3000" * 3  # a space left to be filled in by hand
INDENT = "\u3000\u3000"


def chinese_number(n: int) -> str:
    """1 → 一, 30 → 三十, 15 → 十五: days of validity are written in words (大写), up to 99."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones or not head else "")


@dataclass(frozen=True)
class TransferLetter:
    number: str
    name: str
    gender: str
    age: int
    ethnicity: str
    standing: str
    id_number: str
    from_org: str
    to_org: str
    dues_paid_to: datetime.date | None
    issued_on: datetime.date

    def stub(self) -> str:
        """The stub carries the ID number masked: the full number travels on the letter only."""
        return (
            f"{INDENT}{self.name}同志，{self.gender}，{self.age}岁，{self.ethnicity}，"
            f"系中共{self.standing}党员，身份证号码 {mask_id_number(self.id_number)}，"
            f"组织关系由{self.from_org}转去{self.to_org}。"
        )

    def body(self) -> list[str]:
        dues = (
            f"{self.dues_paid_to.year}年{self.dues_paid_to.month}月"
            if self.dues_paid_to
            else f"{BLANK}年{BLANK}月"
        )
        return [
            f"{INDENT}兹介绍{self.name}同志（{self.gender}，{self.age}岁，{self.ethnicity}，"
            f"系中共{self.standing}党员，身份证号码 {self.id_number}）"
            f"组织关系由{self.from_org}转去{self.to_org}，请接洽。",
            f"{INDENT}该同志党费已交到{dues}。",
        ]

    def receipt(self) -> str:
        return f"{INDENT}{self.name}同志的党员组织关系已转达我处，特此回执。"

    @property
    def validity(self) -> str:
        return f"（有效期{chinese_number(VALID_DAYS)}天）"

    @property
    def date_text(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"


def transfer_letter(*, user, transfer: MemberTransfer, where: str) -> TransferLetter:
    """The letter of a transfer the user sends or receives (the caller found it in scope).
    The letter prints the member's ID number in full: reading it is an audited unmasked view."""
    if transfer.status not in PRINTABLE:
        raise ValidationError(f"该转接已{transfer.get_status_display()}，不能打印介绍信。")
    member = personal_document(user=user, objects=[transfer.member], where=where)[0]
    issued_on = timezone.localdate(transfer.requested_at)
    born = member.birth_date
    age = issued_on.year - born.year - ((issued_on.month, issued_on.day) < (born.month, born.day))
    return TransferLetter(
        number=f"（{issued_on.year}）组字第{transfer.pk}号",
        name=member.name,
        gender=code_map("GB22611").get(member.gender, ""),
        age=age,
        ethnicity=code_map("GB3304").get(member.ethnicity, member.ethnicity),
        standing=STANDINGS.get(member.status, ""),
        id_number=member.id_number,
        from_org=transfer.from_org.name,
        to_org=transfer.to_org.name,
        dues_paid_to=member.dues_payments.aggregate(last=Max("month"))["last"],
        issued_on=issued_on,
    )


def transfer_letter_download(*, user, transfer: MemberTransfer, where: str) -> HttpResponse:
    """The letter as a PDF download, audited on the side that printed it."""
    letter = transfer_letter(user=user, transfer=transfer, where=where)
    side = transfer.from_org if path_in_scope(user, transfer.from_org.path) else transfer.to_org
    return pdf_document_response(
        actor=user,
        filename=f"组织关系介绍信-{letter.name}",
        content=transfer_letter_pdf(letter),
        target_type="members.membertransfer",
        message=f"打印组织关系介绍信{letter.number}：{transfer}",
        org_path=side.path,
    )


# --- layout (mm on A4 portrait) ------------------------------------------------------------
TITLE = "中国共产党党员组织关系介绍信"
LINE = 8  # line height of the text
CONTACT_LINES = (
    "党员联系电话或其他联系方式：",
    "党员原所在基层党委通讯地址：",
    f"联系电话：{BLANK * 3}传真：{BLANK * 3}邮编：",
)


def transfer_letter_pdf(letter: TransferLetter) -> bytes:
    pdf = cjk_pdf()
    pdf.set_margins(22, 16, 22)
    # Realistic names fit one page; a very long one flows onto a second rather than off the edge.
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_title(f"{TITLE} {letter.number}")
    pdf.add_page()

    _heading(pdf, TITLE, "（存　根）", letter.number)
    _text(pdf, letter.stub())
    _right(pdf, letter.date_text)
    _cut(pdf, letter.number)

    _heading(pdf, TITLE, "", letter.number)
    _text(pdf, f"{letter.to_org}：")
    for paragraph in letter.body():
        _text(pdf, paragraph)
    pdf.ln(LINE)
    _right(pdf, f"{letter.from_org}（盖章）")
    _right(pdf, letter.date_text)
    _text(pdf, letter.validity)
    # Filled in by hand, as on the printed form: the system keeps no such address.
    pdf.set_font("cjk", size=10)
    for line in CONTACT_LINES:
        pdf.cell(0, 6.5, line, new_x="LMARGIN", new_y="NEXT")
    _cut(pdf, letter.number)

    _heading(pdf, f"{TITLE}回执", "", letter.number)
    _text(pdf, f"{letter.from_org}：")
    _text(pdf, letter.receipt())
    pdf.ln(LINE)
    _right(pdf, f"接收党组织（盖章）{BLANK}{BLANK}")
    _right(pdf, f"{BLANK}年{BLANK}月{BLANK}日")
    return bytes(pdf.output())


def _heading(pdf, title: str, subtitle: str, number: str) -> None:
    pdf.set_font("cjk", size=17)
    pdf.cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    if subtitle:
        pdf.cell(0, 6, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, LINE, number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)


def _text(pdf, text: str) -> None:
    pdf.multi_cell(0, LINE, text, new_x="LMARGIN", new_y="NEXT")


def _right(pdf, text: str) -> None:
    pdf.multi_cell(0, LINE, text, align="R", new_x="LMARGIN", new_y="NEXT")


def _cut(pdf, number: str) -> None:
    """A dashed cut line across the page with the number on it (骑缝号), as on the form."""
    pdf.ln(5)
    y = pdf.get_y()
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.set_draw_color(90)
        pdf.line(10, y, pdf.w - 10, y)
    pdf.set_font("cjk", size=9)
    label = f"  {number}  "
    width = pdf.get_string_width(label)
    pdf.set_xy((pdf.w - width) / 2, y - 2.5)
    pdf.set_fill_color(255)
    pdf.cell(width, 5, label, align="C", fill=True)
    pdf.set_xy(pdf.l_margin, y + 7)
