import csv

import pytest

from zuzhi.core import codes
from zuzhi.core.codes import (
    CODE_ALIASES_PATH,
    GB4658_TO_ZB64,
    code_aliases,
    code_choices,
    code_map,
    code_parser,
    code_tables_load,
    normalize_value,
    read_code_tables,
)
from zuzhi.core.excel import CellError
from zuzhi.core.models import CodeItem
from zuzhi.testing.sheets import office_xlsx

from .member_sheets import MEMBER_HEADERS, member_import, member_row


def test_code_tables_are_loaded_by_migration(db):
    assert code_map("GB3304")["01"] == "汉族"
    assert code_map("GB4762")["01"] == "中共党员"
    assert CodeItem.objects.filter(table="GB3304").count() == 60
    assert CodeItem.objects.filter(table="ZB01", code="411330").exists()


def test_loading_twice_changes_nothing(db):
    assert code_tables_load(CodeItem) == 0


def test_gb4658_maps_onto_existing_zb64_codes(db):
    zb64 = set(CodeItem.objects.filter(table="ZB64").values_list("code", flat=True))
    assert set(GB4658_TO_ZB64.values()) <= zb64


# --- Reading code values as offices write them (code_parser, code_aliases.csv) --------------


def parse(table, value, what="代码"):
    return code_parser(table, what)(value)


def error(table, value, what="代码"):
    with pytest.raises(CellError) as exc:
        parse(table, value, what)
    return str(exc.value)


def csv_rows():
    with CODE_ALIASES_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_building_a_parser_reads_nothing():
    """Importers build their parsers at import time, when there may be no database."""
    code_parser("GB3304", "民族")  # no db fixture: any query would fail


@pytest.mark.parametrize(
    ("table", "value", "code"),
    [
        ("GB3304", "汉族", "01"),  # name
        ("GB3304", "01", "01"),  # code
        ("GB3304", "1", "01"),  # code without its leading zero
        ("GB3304", 1.0, "01"),  # a number cell
        ("GB3304", 3, "03"),
        ("GB4762", "1", "01"),
        ("ZB64", "21", "21"),
        ("ZB64", "1A", "1A"),
        ("ZB64", "研究生教育", "1"),
        ("GB22611", "男", "1"),
        ("GB22611", 2.0, "2"),
    ],
)
def test_names_and_codes_are_read(db, table, value, code):
    assert parse(table, value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [("汉", "01"), ("蒙古", "02"), ("维吾尔", "05"), ("土家", "15"), ("土", "30"), ("其他", "91")],
)
def test_nationality_without_zu_is_derived(db, value, code):
    assert parse("GB3304", value) == code


def test_names_without_zu_derive_nothing(db):
    assert parse("GB3304", "外国血统") == "92"
    assert parse("GB3304", "加入中国籍的外国人") == "99"
    for text in ("外国血", "加入中国籍的外国"):
        assert "不是民族代码表中的值" in error("GB3304", text, "民族")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("汉 族", "01"),
        ("汉\u3000族", "01"),  # ideographic space
        (" 汉族 ", "01"),
        ("０１", "01"),  # full-width digits
        ("维 族", "05"),
        ("高 中", "37"),
    ],
)
def test_spaces_and_full_width_are_ignored(db, value, code):
    table = "ZB64" if "中" in value else "GB3304"
    assert parse(table, value) == code


def test_full_width_brackets_match_the_name(db):
    assert parse("ZB64", "省（区、市）委党校大学") == "23"
    assert parse("ZB64", "省(区、市)委党校大学") == "23"


def test_a_hit_as_written_does_not_normalize(db, monkeypatch):
    """100,000 cells: a cell found as written costs one dict lookup, nothing more."""
    parser = code_parser("GB3304", "民族")
    parser("汉族")

    def boom(text):
        raise AssertionError("normalized a cell found as written")

    monkeypatch.setattr(codes, "normalize_value", boom)
    assert parser("汉族") == "01"
    assert parser("汉") == "01"
    assert parser("维族") == "05"


def test_lookup_is_built_once_and_shared(db, django_assert_num_queries):
    parse("GB4762", "党员")
    with django_assert_num_queries(0):
        other = code_parser("GB4762", "政治面貌")
        assert other("团员") == "03"
        assert other("群众") == "13"
    assert codes._alias_rows() is codes._alias_rows()  # the CSV is read once


# The mapping members/importers.py had before the aliases became data: none may be lost.
OLD_EDUCATION_ALIASES = {
    "研究生": "11",
    "博士": "11",
    "硕士": "11",
    "本科": "21",
    "大学本科": "21",
    "大专": "31",
    "专科": "31",
    "大学专科": "31",
    "中专": "35",
    "中技": "36",
    "高中": "37",
    "初中": "38",
    "小学": "39",
}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        *OLD_EDUCATION_ALIASES.items(),
        ("博士研究生", "11"),
        ("硕士研究生", "11"),
        ("研究生学历", "11"),
        ("大学", "21"),
        ("高职", "31"),
        ("中等专科", "35"),
        ("中师", "35"),
        ("技校", "36"),
        ("技工学校", "36"),
        ("普通高中", "37"),
        ("职高", "37"),
        ("职业高中", "37"),
        ("小学及以下", "39"),
    ],
)
def test_education_aliases(db, value, code):
    assert parse("ZB64", value, "学历") == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("14", "11"),
        (14.0, "11"),
        ("10", "1"),
        ("20", "2"),
        ("41", "35"),
        ("61", "37"),
        ("80", "39"),
    ],
)
def test_gb4658_codes_are_read_as_zb64(db, value, code):
    assert parse("ZB64", value, "学历") == code


def test_gb4658_only_for_education(db):
    assert "不是民族代码表中的值" in error("GB3304", "80", "民族")


@pytest.mark.parametrize(
    ("table", "value", "code"),
    [
        ("GB4762", "党员", "01"),
        ("GB4762", "中共", "01"),
        ("GB4762", "中共预备党员", "02"),
        ("GB4762", "预备党员", "02"),
        ("GB4762", "团员", "03"),
        ("GB4762", "共青团员", "03"),
        ("GB4762", "无党派人士", "12"),
        ("GB4762", "群众", "13"),
        ("GB22611", "男性", "1"),
        ("GB22611", "女性", "2"),
        ("GB3304", "维族", "05"),
        ("GB3304", "蒙族", "02"),
    ],
)
def test_other_aliases(db, table, value, code):
    assert parse(table, value) == code


def test_ambiguous_alias_offers_the_choices(db):
    assert (
        error("ZB64", "高中/中专", "学历") == "“高中/中专”有多种含义，请改为其中之一：高中、中专。"
    )
    assert (
        error("ZB64", "中专/高中", "学历") == "“中专/高中”有多种含义，请改为其中之一：中专、高中。"
    )
    assert "请改为其中之一：高中、中专" in error("ZB64", "高中及中专", "学历")
    assert "请改为其中之一：高中、中专" in error("ZB64", "高中／中专", "学历")  # full-width slash
    assert "请改为其中之一：初中、小学" in error("ZB64", "初中及以下", "学历")
    assert "请改为其中之一：大专、大学、研究生" in error("ZB64", "大专及以上", "学历")


def test_unknown_value_message(db):
    assert error("GB3304", "火星族", "民族") == (
        "“火星族”不是民族代码表中的值。请填写代码表中的名称或代码。"
    )
    # close names are offered
    assert error("GB3304", "汉族人", "民族") == (
        "“汉族人”不是民族代码表中的值。相近的有：汉族，请改为其中之一。"
    )
    # a small table lists every choice
    assert (
        error("GB22611", "未知", "性别") == "“未知”不是性别代码表中的值。请改为其中之一：男、女。"
    )


def test_dates_are_refused(db):
    import datetime

    assert "不是日期" in error("GB3304", datetime.date(2020, 1, 1), "民族")


def test_code_choices_in_code_order(db):
    assert code_choices("GB22611") == ["男", "女"]
    ethnicities = code_choices("GB3304")
    assert ethnicities[:3] == ["汉族", "蒙古族", "回族"]
    assert len(ethnicities) == 60
    education = code_choices("ZB64")
    assert education[:3] == ["研究生教育", "研究生", "研究生班"]
    assert education[-3:] == ["高中", "初中", "小学"]


def test_code_aliases_lists_the_csv(db):
    assert code_aliases("ZB64")["高中/中专"] == ["37", "35"]
    assert code_aliases("GB3304")["维族"] == ["05"]
    assert "汉" not in code_aliases("GB3304")  # derived, not in the file
    assert code_aliases("NO_SUCH_TABLE") == {}


# --- The data file itself ---------------------------------------------------------------


def test_aliases_file_has_the_expected_columns():
    with CODE_ALIASES_PATH.open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["table", "alias", "codes", "note"]
    assert all(row["table"] and row["alias"] and row["codes"] for row in csv_rows())


def test_every_alias_code_exists_in_its_table(db):
    tables = {r["table"] for r in read_code_tables()}
    for row in csv_rows():
        assert row["table"] in tables, row
        for code in row["codes"].split("|"):
            assert code in code_map(row["table"]), row


def test_ambiguous_aliases_name_distinct_codes():
    for row in csv_rows():
        alias_codes = row["codes"].split("|")
        assert len(set(alias_codes)) == len(alias_codes), row


def test_no_alias_is_listed_twice():
    seen = set()
    for row in csv_rows():
        key = (row["table"], normalize_value(row["alias"]))
        assert key not in seen, row
        seen.add(key)


def test_no_alias_shadows_or_repeats_a_real_spelling(db):
    """A row whose alias is already a name, a code, a derived spelling or a GB/T 4658 code
    of its table would never be used: the real spelling wins."""
    for row in csv_rows():
        table, alias = row["table"], normalize_value(row["alias"])
        table_codes = code_map(table)
        real = set(table_codes) | {c.lstrip("0") for c in table_codes}
        real |= {normalize_value(n) for n in table_codes.values()}
        real |= {normalize_value(n[:-1]) for n in table_codes.values() if n.endswith("族")}
        if table == "ZB64":
            real |= set(GB4658_TO_ZB64)
        assert alias not in real, row


# A GB/T 4658 code read as the organization department's code of another meaning -----------


def test_a_gb4658_education_code_is_not_stored_as_the_zb64_code_it_collides_with(
    county, town_a_user
):
    # The 学历 column takes "组织部学历代码或 GB/T 4658 代码" (its help). The two code systems
    # share numbers with different meanings: GB/T 4658-2006 23 is 大学本科肄业, ZB64 23 is
    # 省（区、市）委党校大学. A sheet from another department writing 23 is stored as
    # 省委党校大学 without a word; the ambiguity should be asked, as for 高中/中专.
    job = member_import(town_a_user, office_xlsx({"党员": [MEMBER_HEADERS, member_row(学历="23")]}))
    refused = (2, "学历") in [(e["row"], e["column"]) for e in job.errors]
    told = any(n["column"] == "学历" for n in job.notices)
    assert refused or told, (job.status, job.errors)
