"""The payroll sheet the finance bureau imports (发放表), one for the page and the API."""

from django.core.exceptions import ValidationError

from zuzhi.core.export import xlsx_response
from zuzhi.core.money import yuan
from zuzhi.core.personal import personal_document

from . import selectors
from .models import LineKind, SubsidyRun
from .months import month_label

FINANCE_HEADERS = [
    "序号",
    "姓名",
    "公民身份号码",
    "开户银行",
    "银行账号",
    "金额（元）",
    "补贴月份",
    "备注",
]


def finance_rows(lines) -> list[list]:
    """The sheet's rows and its total row, with the payee as the run was computed. Amounts are
    text with two decimals (integer fen, no float on the way); a 补发/扣回 line names the month
    it corrects, as 补贴月份."""
    rows, total = [], 0
    for number, line in enumerate(lines, start=1):
        note = line.note
        if line.kind != LineKind.REGULAR:
            note = f"{line.get_kind_display()}：{note}" if note else line.get_kind_display()
        rows.append(
            [
                number,
                line.payee_name,
                line.payee_id_number,
                line.bank_name,
                line.bank_account,
                yuan(line.amount_fen),
                f"{line.month:%Y-%m}",
                note,
            ]
        )
        total += line.amount_fen
    rows.append(["合计", f"{len(rows)} 笔", "", "", "", yuan(total), "", ""])
    return rows


def run_export_response(*, actor, run: SubsidyRun, where: str):
    """An approved run as the finance bureau's sheet. It is an official document carrying
    ID numbers and bank accounts in full whatever the reader's role: revealed and audited
    through core.personal, and the download audited as an export."""
    if not run.locked:
        raise ValidationError("只能导出已审核的发放批次。")
    lines = list(selectors.export_lines(run=run))
    personal_document(user=actor, objects=lines, where=where)
    return xlsx_response(
        actor=actor,
        filename=f"{run.policy.name}{month_label(run.month)}发放表",
        headers=FINANCE_HEADERS,
        rows=finance_rows(lines),
        target_type="subsidies.subsidyrun",
        org_path=run.policy.county.path,
        message=f"导出发放表：{run}，{len(lines)} 笔，合计 {yuan(run.total_fen)} 元",
    )
