"""Building subsidy data through the services, for the tests."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from zuzhi.core.scope import SYSTEM
from zuzhi.subsidies import payroll, services
from zuzhi.subsidies.models import DEFAULT_AMOUNTS_FEN
from zuzhi.testing.factories import make_talent, valid_id_number

_sequence = [500]


def evidence() -> dict:
    return {
        "degree_certificate": SimpleUploadedFile("学位证书.pdf", b"%PDF-1.4\n"),
        "labour_contract": SimpleUploadedFile("劳动合同.pdf", b"%PDF-1.4\n"),
    }


def make_policy(county, **data):
    fields = {"name": "青年人才生活补贴", "amounts_fen": dict(DEFAULT_AMOUNTS_FEN)}
    fields.update(data)
    return services.subsidy_policy_create(actor=SYSTEM, county=county, data=fields)


def graduate(county, **fields):
    _sequence[0] += 1
    data = {
        "name": f"毕业生{_sequence[0]}",
        "id_number": valid_id_number(birth="19990101", sequence=_sequence[0] % 1000),
        "arrived_on": datetime.date(2025, 7, 1),
    }
    data.update(fields)
    return make_talent(county, **data)


def recipient(policy, talent=None, **talent_fields):
    """An approved application of `talent` (or of a new graduate)."""
    talent = talent or graduate(policy.county, **talent_fields)
    application = services.subsidy_application_submit(
        actor=SYSTEM,
        policy=policy,
        talent=talent,
        data={
            "bank_name": "中国农业银行示范县支行",
            "bank_account": "6228480012345678901",
            "employer_in_county": True,
        },
        files=evidence(),
    )
    return services.subsidy_application_approve(actor=SYSTEM, application=application)


def run_for(policy, month: datetime.date, *, approve: bool = False):
    run = payroll.subsidy_run_create(
        actor=SYSTEM, policy=policy, month=month, today=datetime.date(2030, 1, 1)
    )
    if approve:
        run = payroll.subsidy_run_approve(actor=SYSTEM, run=run)
    return run
