"""Bank accounts and payees' ID numbers encrypted at rest (#19): ciphertext in the columns,
masked lists, exports and API answers decrypting nothing, exact search through the blind
index, the finance sheet carrying the accounts in full (audited), the account change audited
by mask and index, and the in-place migration."""

import datetime
import io
import types

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zuzhi.accounts.services import token_issue
from zuzhi.core import crypto
from zuzhi.core.models import AuditAction, AuditLog
from zuzhi.core.scope import SYSTEM
from zuzhi.core.sealed_rows import encrypt_in_place
from zuzhi.subsidies import selectors, services
from zuzhi.subsidies.models import SubsidyApplication, SubsidyLine

from .helpers import make_policy, recipient, run_for

pytestmark = pytest.mark.django_db
ACCOUNT = "6228480012345678901"
MASKED_ACCOUNT = "6228***********8901"


@pytest.fixture
def ledger(talent_world):
    policy = make_policy(talent_world.county.county)
    application = recipient(policy, talent=talent_world.talent)
    recipient(policy, name="第二人")
    run = run_for(policy, datetime.date(2025, 9, 1), approve=True)
    return policy, application, run


def column(table: str, name: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM subsidies_{table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_the_columns_hold_ciphertext_with_index_and_mask(talent_world, ledger):
    number = talent_world.talent.id_number
    for table in ("subsidyapplication", "subsidyline"):
        assert all(v.startswith("aesgcm1:") for v in column(table, "bank_account"))
        assert column(table, "bank_account_masked")[0] == MASKED_ACCOUNT
        assert column(table, "bank_account_index")[0] == crypto.blind_index("bank_account", ACCOUNT)
    assert number not in "".join(column("subsidyline", "payee_id_number"))
    assert number[:6] + "********" + number[-4:] in column("subsidyline", "payee_id_number_masked")


def test_exact_search_by_full_number_and_account(talent_world, ledger):
    policy, application, run = ledger
    number = talent_world.talent.id_number
    office = talent_world.office
    assert list(selectors.application_list(user=office, query=number.lower())) == [application]
    assert list(selectors.application_list(user=office, query=number[:10])) == []
    lines = selectors.run_lines(user=office, run=run, query=number)
    assert [line.application_id for line in lines] == [application.pk]
    assert SubsidyLine.objects.filter(payee_id_number=number).count() == 1
    assert SubsidyApplication.objects.filter(bank_account="6228 4800 1234 5678 901").count() == 2


@override_settings(ZUZHI_UNMASKED_ROLES=[])
def test_masked_lists_exports_and_api_answers_decrypt_nothing(client, talent_world, ledger):
    policy, application, run = ledger
    client.force_login(talent_world.office)
    count = crypto.decryptions()
    page = client.get(reverse("subsidies:applications")).content.decode()
    assert MASKED_ACCOUNT in page and ACCOUNT not in page
    assert client.get(reverse("subsidies:applications_export")).status_code == 200
    detail = client.get(reverse("subsidies:application", args=[application.pk]))
    assert MASKED_ACCOUNT in detail.content.decode()
    assert client.get(reverse("subsidies:run", args=[run.pk])).status_code == 200
    api = Client(headers={"Authorization": f"Bearer {token_issue(user=talent_world.office)}"})
    assert api.get(f"/api/subsidy-runs/{run.pk}/lines").status_code == 200
    assert crypto.decryptions() == count
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()


@override_settings(ZUZHI_UNMASKED_ROLES=[])
def test_the_finance_sheet_carries_accounts_in_full_and_is_audited(talent_world, ledger):
    """The one place that needs the full account: the talent office's sheet for the finance
    bureau, whatever the role sees elsewhere; each line decrypts its two values once."""
    policy, application, run = ledger
    count = crypto.decryptions()
    api = Client(headers={"Authorization": f"Bearer {token_issue(user=talent_world.office)}"})
    response = api.get(f"/api/subsidy-runs/{run.pk}/export")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    sheet = rows.to_python()
    assert [r[4] for r in sheet[1:3]] == [ACCOUNT, ACCOUNT]
    assert talent_world.talent.id_number in [r[2] for r in sheet[1:3]]
    assert crypto.decryptions() == count + 4
    seen = AuditLog.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert "银行账号" in seen.message and "收款人公民身份号码" in seen.message
    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == 1
    # Others get nothing: the logged 404 (the township is outside the talent office).
    other = Client(headers={"Authorization": f"Bearer {token_issue(user=talent_world.township)}"})
    assert other.get(f"/api/subsidy-runs/{run.pk}/export").status_code == 404


def test_an_account_change_is_logged_masked_even_when_the_mask_hides_it(ledger):
    policy, application, run = ledger
    start = AuditLog.objects.count()
    services.subsidy_application_bank_change(
        actor=SYSTEM,
        application=application,
        bank_name="中国农业银行示范县支行",
        bank_account="6228999999999998901",
        reason="换卡",
    )
    [row] = AuditLog.objects.order_by("id")[start:]
    assert row.before["bank_account"] == row.after["bank_account"] == MASKED_ACCOUNT
    assert row.after["bank_account_index"] == crypto.blind_index(
        "bank_account", "6228999999999998901"
    )
    assert row.before["bank_account_index"] != row.after["bank_account_index"]
    assert ACCOUNT not in str(row.before) and "6228999999999998901" not in str(row.after)
    assert SubsidyApplication.objects.get(pk=application.pk).bank_account == "6228999999999998901"


def test_the_migration_encrypts_clear_accounts_and_numbers_in_place(talent_world, ledger):
    number = talent_world.talent.id_number
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subsidies_subsidyapplication SET bank_account = %s, bank_account_index = '', "
            "bank_account_masked = ''",
            [ACCOUNT],
        )
        cursor.execute(
            "UPDATE subsidies_subsidyline SET bank_account = %s, payee_id_number = %s, "
            "bank_account_masked = '', payee_id_number_index = ''",
            [ACCOUNT, number],
        )
    editor = types.SimpleNamespace(connection=connection)
    lines = {"model": "subsidies.SubsidyLine", "fields": ["payee_id_number", "bank_account"]}
    applications = {"model": "subsidies.SubsidyApplication", "fields": ["bank_account"]}
    assert encrypt_in_place(apps, editor, **applications) == 2
    assert encrypt_in_place(apps, editor, **lines) == 2
    assert encrypt_in_place(apps, editor, **lines) == 0
    assert set(column("subsidyline", "bank_account_masked")) == {MASKED_ACCOUNT}
    assert SubsidyLine.objects.filter(payee_id_number=number).count() == 2
    assert {a.bank_account for a in SubsidyApplication.objects.all()} == {ACCOUNT}


def test_a_long_account_keeps_its_whole_mask(ledger):
    """An account of up to 32 digits is accepted; its masked copy, as long as the account,
    fits its column (PostgreSQL refused 25 characters and more: the change and the next run
    failed) and passes model validation."""
    policy, application, run = ledger
    account = "62284800" + "1" * 20 + "8901"
    services.subsidy_application_bank_change(
        actor=SYSTEM,
        application=application,
        bank_name="某银行",
        bank_account=account,
        reason="换卡",
    )
    stored = SubsidyApplication.objects.get(pk=application.pk)
    assert stored.bank_account_masked == "6228" + "*" * 24 + "8901"
    stored.full_clean()
    assert column("subsidyapplication", "bank_account_masked")[0] == stored.bank_account_masked
    # The next run's line copies the account and its mask.
    later = run_for(policy, datetime.date(2025, 10, 1))
    line = later.lines.get(application=application)
    assert line.bank_account_masked == stored.bank_account_masked
    assert line.bank_account == account
