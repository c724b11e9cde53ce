import csv

import pytest

from zuzhi.contests.importers import COLUMNS as CONTEST_COLUMNS
from zuzhi.core.headers import (
    HEADER_SYNONYMS_PATH,
    header_lookup,
    header_synonyms,
    normalize_header,
)
from zuzhi.members.importers import COLUMNS as MEMBER_COLUMNS
from zuzhi.orgs.importers import COLUMNS as ORG_COLUMNS
from zuzhi.training.importers import COLUMNS as TRAINING_COLUMNS

# Headers the member import is getting (the branch by name); remove once it has them.

IMPORTS = {
    "members": {c.header for c in MEMBER_COLUMNS},
    "orgs": {c.header for c in ORG_COLUMNS},
    "contests": {c.header for c in CONTEST_COLUMNS},
    "training": {c.header for c in TRAINING_COLUMNS},
}


def csv_rows():
    with HEADER_SYNONYMS_PATH.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("姓名", "姓名"),
        ("姓 名", "姓名"),
        ("姓\u3000名", "姓名"),  # ideographic space
        (" 姓名\t", "姓名"),
        ("姓\n名", "姓名"),  # line break inside the cell
        ("姓\r\n名", "姓名"),
        ("*姓名", "姓名"),
        ("＊姓名", "姓名"),  # full-width asterisk
        ("※姓名", "姓名"),
        ("** 姓名", "姓名"),
        ("姓名*", "姓名"),
        ("姓名:", "姓名"),
        ("姓名：", "姓名"),  # full-width colon
        ("出生日期（可不填）", "出生日期"),
        ("联系电话(手机)", "联系电话"),
        ("出生日期[年月日]", "出生日期"),
        ("出生日期【必填】", "出生日期"),
        ("联系电话(手机)(必填)", "联系电话"),
        ("* 出生日期（可不填）：", "出生日期"),
        ("出生日期\n（可不填）", "出生日期"),
        ("ＩＤ", "ID"),  # full-width letters
        (None, ""),
    ],
)
def test_normalize_header(written, normalized):
    assert normalize_header(written) == normalized


def test_a_bracket_naming_the_content_stays():
    """所在党组织（代码） and 所在党组织（名称） are different columns, not hints."""
    assert normalize_header("所在党组织（代码）") == "所在党组织(代码)"
    assert normalize_header("所在党组织(名称)") == "所在党组织(名称)"
    assert normalize_header("参评对象(编号)") == "参评对象(编号)"


def test_a_header_that_is_only_a_bracket_stays():
    assert normalize_header("（备注）") == "(备注)"


@pytest.mark.parametrize(
    ("kind", "written", "header"),
    [
        ("members", "身份证号码", "公民身份号码"),
        ("members", "身份证号", "公民身份号码"),
        ("members", "身份证", "公民身份号码"),
        ("members", "公民身份证号码", "公民身份号码"),
        ("members", "公民身份证号", "公民身份号码"),
        ("members", "身份号码", "公民身份号码"),
        ("members", "证件号码", "公民身份号码"),
        ("members", "党员姓名", "姓名"),
        ("members", "名字", "姓名"),
        ("members", "出生年月", "出生日期"),
        ("members", "出生时间", "出生日期"),
        ("members", "出生年月日", "出生日期"),
        ("members", "入党时间", "入党日期"),
        ("members", "入党年月", "入党日期"),
        ("members", "加入党组织日期", "入党日期"),
        ("members", "转正时间", "转正日期"),
        ("members", "转正年月", "转正日期"),
        ("members", "转为正式党员日期", "转正日期"),
        ("members", "文化程度", "学历"),
        ("members", "最高学历", "学历"),
        ("members", "学历程度", "学历"),
        ("members", "手机号码", "联系电话"),
        ("members", "手机号", "联系电话"),
        ("members", "手机", "联系电话"),
        ("members", "电话", "联系电话"),
        ("members", "电话号码", "联系电话"),
        ("members", "联系方式", "联系电话"),
        ("members", "所在党支部", "所在党组织"),
        ("members", "所在支部", "所在党组织"),
        ("members", "党支部", "所在党组织"),
        ("members", "党组织名称", "所在党组织"),
        ("members", "所属党组织", "所在党组织"),
        ("members", "所属支部", "所在党组织"),
        ("members", "所在党组织名称", "所在党组织"),
        ("members", "支部名称", "所在党组织"),
        ("members", "所在党组织（名称）", "所在党组织"),
        ("members", "党组织代码", "所在党组织代码"),
        ("members", "支部代码", "所在党组织代码"),
        ("members", "所在党组织（代码）", "所在党组织代码"),
        ("members", "工作单位", "工作单位及职务"),
        ("members", "单位及职务", "工作单位及职务"),
        ("members", "工作单位和职务", "工作单位及职务"),
        ("members", "现工作单位及职务", "工作单位及职务"),
        ("members", "党籍状态", "党员状态"),
        ("members", "正式/预备", "党员状态"),
        ("members", "正式／预备", "党员状态"),
        ("members", "工作岗位", "人员类别"),
        ("orgs", "党组织代码", "组织代码"),
        ("orgs", "党组织名称", "组织名称"),
        ("orgs", "上级党组织代码", "上级组织代码"),
        ("orgs", "书记姓名", "书记"),
        ("orgs", "书记联系电话", "书记电话"),
        ("contests", "指标名称", "指标"),
        ("contests", "备注", "说明"),
    ],
)
def test_synonyms(kind, written, header):
    assert header_lookup(sorted(IMPORTS[kind]))[normalize_header(written)] == header


def test_headers_themselves_are_accepted_in_any_spelling():
    lookup = header_lookup(sorted(IMPORTS["members"]))
    for header in IMPORTS["members"]:
        assert lookup[header] == header
    assert lookup[normalize_header("*公民 身份号码（18位）")] == "公民身份号码"
    assert lookup[normalize_header("性别")] == "性别"  # no synonyms: itself only


def test_synonyms_are_per_import():
    """The member import's 身份证号 means nothing to the organization import."""
    assert normalize_header("身份证号") not in header_lookup(sorted(IMPORTS["orgs"]))


def test_one_spelling_for_two_headers_is_refused():
    with pytest.raises(ValueError, match="党组织代码"):
        header_lookup(["组织代码", "所在党组织代码"])
    with pytest.raises(ValueError):
        header_lookup(["姓名", "姓 名"])


# --- The data file itself ---------------------------------------------------------------


def test_synonyms_file_has_the_expected_columns():
    with HEADER_SYNONYMS_PATH.open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["header", "synonym"]
    assert all(row["header"] and row["synonym"] for row in csv_rows())


def test_every_header_in_the_file_is_a_template_header():
    """Catches a typo in the header column, which would make its synonyms dead rows."""
    known = set().union(*IMPORTS.values())
    for row in csv_rows():
        assert row["header"] in known, row


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_no_synonym_means_two_headers_of_one_import(kind):
    """header_lookup refuses a spelling that stands for two headers (or is another real
    header) of the same import; every import's column set must pass."""
    lookup = header_lookup(sorted(IMPORTS[kind]))
    headers = IMPORTS[kind]
    for header, synonyms in header_synonyms().items():
        if header in headers:
            for synonym in synonyms:
                assert lookup[normalize_header(synonym)] == header


def test_no_row_is_redundant():
    seen = set()
    for row in csv_rows():
        synonym = normalize_header(row["synonym"])
        assert synonym, row
        assert synonym != normalize_header(row["header"]), row
        assert (row["header"], synonym) not in seen, row
        seen.add((row["header"], synonym))


def test_the_file_is_read_once():
    assert header_synonyms() is header_synonyms()
