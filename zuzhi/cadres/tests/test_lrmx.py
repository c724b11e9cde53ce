import codecs
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zuzhi.cadres import lrmx, lrmx_zip
from zuzhi.cadres.lrmx import (
    FAMILY_FIELDS,
    PERSON_FIELDS,
    AppointmentForm,
    FamilyMember,
    LrmxError,
    YearMonth,
    parse,
)
from zuzhi.cadres.lrmx_write import write
from zuzhi.cadres.lrmx_zip import read_zip, write_zip

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(path.name for path in DATA.glob("*.lrmx"))


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def with_element(tag: str, text: str) -> bytes:
    """A minimal valid file with `tag` set to `text` (raw XML)."""
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        f"<Person><XingMing>测试</XingMing><{tag}>{text}</{tag}></Person>"
    ).encode()


# ---------------------------------------------------------------- reading the samples


def test_standard_sample_fields():
    form = parse(sample("standard.lrmx"))
    assert form.name == "李建国"
    assert form.birth == YearMonth(1978, 5)
    assert form.party_joined == YearMonth(1999, 6)
    assert form.age_reference_date == YearMonth(2024, 3, 1)
    assert form.id_number == "410522197805121031"
    assert form.current_post == "示范县王庄乡党委书记"
    assert form.in_service_degree == ""
    assert form.version == "3.2.1.16"
    assert form.photo.startswith(b"\x89PNG\r\n\x1a\n")
    assert [m.relation for m in form.family] == ["妻子", "儿子", "父亲", "母亲"]
    assert form.family[0] == FamilyMember(
        relation="妻子",
        name="王秀兰",
        birth=YearMonth(1980, 11),
        political_status="中共党员",
        work_and_post="示范县第一高级中学教师",
    )


def test_resume_kept_exactly_with_line_breaks_and_full_width_indentation():
    form = parse(sample("standard.lrmx"))
    lines = form.resume.split("\n")
    assert len(lines) == 7
    assert lines[0] == "1996.09--2000.07  河南师范大学政治教育专业学习"
    assert lines[5] == "　" * 9 + "（2013.09--2016.07在中央党校函授学院经济管理专业学习）"
    assert lines[6] == "2016.10--         示范县王庄乡党委书记"


def test_bom_crlf_sample():
    form = parse(sample("bom_crlf.lrmx"))
    assert form.birth == YearMonth(1975, 9, 20)
    assert form.work_started == YearMonth(1997, 7)
    # A lower-case x is read as X.
    assert form.id_number == "41052619750920118X"
    # A democratic party in RuDangShiJian, no date.
    assert (form.party_joined, form.party_joined_note) == (None, "九三学社")
    # XML reads CRLF inside text as LF; the round trip keeps the file's CRLF.
    assert "\r" not in form.resume
    assert form.resume.split("\n")[3] == "　" * 9 + "（2009.12加入九三学社）"
    assert form.family[0].birth == YearMonth(1977, 3, 18)


def test_newer_version_sample_with_unknown_elements():
    form = parse(sample("newer_version.lrmx"))
    assert form.birth == YearMonth(1983, 2)
    assert form.id_number == "41052319830214104X"
    assert form.resume.split("\n")[2].endswith("参加<河南省青年干部培训班>学习）")
    # Only the <Item>s are family members; their extra children are not modelled.
    assert [m.name for m in form.family] == ["刘志强", "刘欣怡"]
    assert form.family[1].birth == YearMonth(2010, 4)
    assert form.photo == b""


def test_self_closed_and_whitespace_only_elements_are_empty():
    form = parse(sample("self_closed.lrmx"))
    assert form.professional_title == form.expertise == form.proposed_post == ""
    assert form.full_time_degree_school == form.appointment_reason == form.filled_by == ""
    assert form.filled_date is None
    assert form.family == []
    assert form.photo == b""
    assert form.version == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        ("197805", YearMonth(1978, 5)),
        ("1978.05", YearMonth(1978, 5)),
        ("1978-05", YearMonth(1978, 5)),
        ("1978.5", YearMonth(1978, 5)),
        ("19780512", YearMonth(1978, 5, 12)),
        ("1978.05.12", YearMonth(1978, 5, 12)),
        ("1978年5月", YearMonth(1978, 5)),
        (" 197805\n ", YearMonth(1978, 5)),
    ],
)
def test_date_spellings(text, expected):
    assert parse(with_element("ChuShengNianYue", text)).birth == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("1978.13", "出生年月（ChuShengNianYue）“1978.13” 不是有效的年月。"),
        ("19780231", "出生年月（ChuShengNianYue）“19780231” 不是有效的年月。"),
        ("1978", "出生年月（ChuShengNianYue）“1978” 不是有效的年月。"),
        ("七八年五月", "出生年月（ChuShengNianYue）“七八年五月” 不是有效的年月。"),
        ("1878.05", "出生年月（ChuShengNianYue）“1878.05” 不在 1900 年至 2100 年之间。"),
    ],
)
def test_bad_date_refused_naming_the_element(text, message):
    with pytest.raises(LrmxError) as caught:
        parse(with_element("ChuShengNianYue", text))
    assert caught.value.messages == [message]


def test_party_date_followed_by_a_party():
    form = parse(with_element("RuDangShiJian", "200106；中国民主同盟"))
    assert (form.party_joined, form.party_joined_note) == (YearMonth(2001, 6), "中国民主同盟")


def test_bad_id_check_digit_refused():
    with pytest.raises(LrmxError) as caught:
        parse(with_element("ShenFenZheng", "410522197805121032"))
    [message] = caught.value.messages
    assert message.startswith("身份证号（ShenFenZheng）“410522197805121032”：")
    assert "校验位" in message


def test_every_problem_reported_at_once():
    data = sample("standard.lrmx")
    data = data.replace(b"<ChuShengNianYue>197805<", b"<ChuShengNianYue>1978.13<")
    data = data.replace(b"121031</ShenFenZheng>", b"121032</ShenFenZheng>")
    data = data.replace(b"<ChuShengRiQi>200609<", b"<ChuShengRiQi>2006.00<")
    data = data.replace(b"<ZhaoPian>iVBOR", b"<ZhaoPian>*iVBOR")
    with pytest.raises(LrmxError) as caught:
        parse(data)
    messages = caught.value.messages
    assert len(messages) == 4
    assert messages[0] == "出生年月（ChuShengNianYue）“1978.13” 不是有效的年月。"
    assert messages[1].startswith("身份证号（ShenFenZheng）")
    assert messages[2] == "照片（ZhaoPian）不是有效的 Base64 编码，照片无法读取。"
    assert messages[3] == "家庭成员第 2 项的出生日期（ChuShengRiQi）“2006.00” 不是有效的年月。"


def test_field_given_twice_refused():
    data = sample("standard.lrmx").replace(
        b"<XingBie>", b"<XianRenZhiWu>\xe4\xb9\xa1\xe9\x95\xbf</XianRenZhiWu><XingBie>"
    )
    with pytest.raises(LrmxError) as caught:
        parse(data)
    assert caught.value.messages == [
        "现任职务（XianRenZhiWu）在文件中出现了 2 次，无法确定以哪个为准。"
    ]


@pytest.mark.parametrize(
    "data, start",
    [
        (b"", "文件不是有效的 XML"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "文件内容不是有效的 utf-8 文本"),
        (b"<Person><XingMing>x</Person>", "文件不是有效的 XML（第 1 行"),
        (b"<Person>&nbsp;</Person>", "文件不是有效的 XML"),
        ("<?xml version='1.0'?><人员><姓名>张三</姓名></人员>".encode(), "文件的根元素是 <人员>"),
        (b"<?xml version='1.0' encoding='klingon'?><Person/>", "文件声明的字符编码"),
    ],
)
def test_not_an_lrmx_file(data, start):
    with pytest.raises(LrmxError) as caught:
        parse(data)
    [message] = caught.value.messages
    assert message.startswith(start)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Person [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Person><XingMing>&lol3;</XingMing></Person>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Person><XingMing>&secret;</XingMing></Person>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Person SYSTEM "http://example.invalid/person.dtd">
<Person><XingMing>x</XingMing></Person>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_hostile_xml_refused(data):
    with pytest.raises(LrmxError) as caught:
        parse(data)
    assert caught.value.messages == [lrmx._UNSAFE]


def test_gbk_declared_file_read_and_written_back():
    text = "<?xml version='1.0' encoding='GB2312'?>\r\n<Person>\r\n\t<XingMing>张三</XingMing>\r\n</Person>"
    data = text.encode("gb2312")
    form = parse(data)
    assert form.name == "张三"
    assert write(form, original=data) == data
    changed = write(replace(form, name="李四"), original=data)
    assert changed == data.replace("张三".encode("gb2312"), "李四".encode("gb2312"))


def test_utf16_file_with_bom_read_and_written_back():
    data = codecs.BOM_UTF16_LE + sample("standard.lrmx").decode().replace(
        'encoding="utf-8"', 'encoding="utf-16"'
    ).encode("utf-16-le")
    form = parse(data)
    assert form.name == "李建国"
    assert write(form, original=data) == data
    assert parse(write(replace(form, name="李建民"), original=data)).name == "李建民"


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("name", SAMPLES)
def test_unchanged_form_writes_the_same_bytes(name):
    data = sample(name)
    assert write(parse(data), original=data) == data


@pytest.mark.parametrize("name", SAMPLES)
def test_one_changed_field_changes_only_its_text(name):
    data = sample(name)
    form = parse(data)
    out = write(replace(form, current_post="示范县人民政府副县长 & <代>"), original=data)
    old = f"<XianRenZhiWu>{form.current_post}</XianRenZhiWu>".encode()
    new = "<XianRenZhiWu>示范县人民政府副县长 &amp; &lt;代&gt;</XianRenZhiWu>".encode()
    assert data.count(old) == 1
    assert out == data.replace(old, new)


def test_unchanged_year_month_keeps_its_spelling():
    data = sample("bom_crlf.lrmx")
    form = parse(data)
    # The registry keeps year and month: 19750920 stays 19750920, 1997-07 stays 1997-07.
    same = replace(form, birth=YearMonth(1975, 9), work_started=YearMonth(1997, 7))
    assert write(same, original=data) == data
    moved = write(replace(form, birth=YearMonth(1975, 10)), original=data)
    assert moved == data.replace(b">19750920<", b">197510<")


def test_changed_resume_keeps_bom_and_crlf():
    data = sample("bom_crlf.lrmx")
    form = parse(data)
    resume = form.resume + "\n" + "2024.03--         示范县农业农村局局长"
    out = write(replace(form, resume=resume), original=data)
    assert out.startswith(codecs.BOM_UTF8)
    assert out.count(b"\n") == out.count(b"\r\n")
    assert out == data.replace(
        "副局长</JianLi>".encode(),
        "副局长\r\n2024.03--         示范县农业农村局局长</JianLi>".encode(),
    )
    assert parse(out).resume == resume


def test_family_change_keeps_unknown_elements_and_item_children():
    data = sample("newer_version.lrmx")
    form = parse(data)
    father = FamilyMember("父亲", "陈国栋", YearMonth(1955, 6), "中共党员", "示范县供销社退休职工")
    husband = replace(form.family[0], work_and_post="示范县公安局副局长")
    out = write(replace(form, family=[husband, form.family[1], father]), original=data)
    text = out.decode()
    for kept in (
        "<DaoLingNianYue>2038.02</DaoLingNianYue>",
        "<GaiGeQianRenZhiNianLingJieXian>55</GaiGeQianRenZhiNianLingJieXian>",
        "<Age>42</Age>\n\t\t\t<ShenFenZhengHao>410522198111032525</ShenFenZhengHao>",
        "<Age>13</Age>",
        "<!-- 父母信息待核实 -->",
        "<BeiZhu>父母均健在</BeiZhu>",
        "<ZhengZhiMianMao>中共党员</ZhengZhiMianMao>\n\t<Version>3.2.2.1</Version>",
        "<ChuShengRiQi>2010.4</ChuShengRiQi>",
    ):
        assert kept in text
    assert "<GongZuoDanWeiJiZhiWu>示范县公安局副局长</GongZuoDanWeiJiZhiWu>\n\t\t\t<Age>42" in text
    # The new member follows the last <Item>, in the file's tab indentation.
    assert (
        "<Age>13</Age>\n\t\t</Item>\n\t\t<Item>\n\t\t\t<ChengWei>父亲</ChengWei>"
        "\n\t\t\t<XingMing>陈国栋</XingMing>\n\t\t\t<ChuShengRiQi>195506</ChuShengRiQi>"
    ) in text
    assert parse(out).family == [husband, form.family[1], father]


def test_removed_family_members_drop_their_items():
    data = sample("standard.lrmx")
    form = parse(data)
    out = write(replace(form, family=form.family[:1]), original=data)
    text = out.decode()
    assert "李明远" not in text and "张桂英" not in text
    assert "</GongZuoDanWeiJiZhiWu>\n    </Item>\n  </JiaTingChengYuan>" in text
    assert parse(out).family == form.family[:1]


def test_self_closed_and_missing_elements_filled_in_standard_order():
    data = sample("self_closed.lrmx")
    form = parse(data)
    mother = FamilyMember("母亲", "王芳", YearMonth(1965, 3), "群众", "务农")
    changed = replace(
        form,
        proposed_post="示范县王庄乡党委副书记",
        in_service_degree="工程硕士",
        family=[mother],
        version="3.2.1.16",
    )
    text = write(changed, original=data).decode()
    assert "<NiRenZhiWu>示范县王庄乡党委副书记</NiRenZhiWu>\n  <NiMianZhiWu />" in text
    # Absent from the file: inserted after the nearest element before it.
    assert (
        "</QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi>\n  <ZaiZhiJiaoYu_XueWei>工程硕士</ZaiZhiJiaoYu_XueWei>"
        "\n  <XianRenZhiWu>"
    ) in text
    assert "<ZhaoPian />\n  <Version>3.2.1.16</Version>\n</Person>" in text
    assert "<JiaTingChengYuan>\n    <Item>\n      <ChengWei>母亲</ChengWei>" in text
    assert "<ZhuanYeJiShuZhiWu />" in text and "<TianBiaoShiJian />" in text
    assert parse(text.encode()) == changed


def test_clean_file_in_standard_order():
    form = parse(sample("newer_version.lrmx"))
    out = write(replace(form, version=""))
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Person>\n  <XingMing>')
    text = out.decode()
    positions = [text.index(f"<{f.element}>") for f in PERSON_FIELDS]
    assert positions == sorted(positions)
    assert "DaoLingNianYue" not in text
    assert "<Version>3.2.1.16</Version>\n</Person>\n" in text
    assert parse(out) == replace(form, version="3.2.1.16")


def test_control_characters_refused_on_write():
    form = AppointmentForm(name="张\x07三", family=[FamilyMember(name="\x00")])
    with pytest.raises(LrmxError) as caught:
        write(form)
    assert caught.value.messages == [
        "姓名中含有 XML 文件不能保存的控制字符，请删除后再导出。",
        "家庭成员第 1 项的姓名中含有 XML 文件不能保存的控制字符，请删除后再导出。",
    ]


# ---------------------------------------------------------------- zip


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_read_zip_parses_each_file_and_reports_the_bad_ones():
    data = zip_of(
        {
            "乡科级/": b"",
            "乡科级/李建国.lrmx": sample("standard.lrmx"),
            "乡科级/坏文件.lrmx": b"<Person><XingMing>",
            "乡科级/马超.LRMX": sample("self_closed.lrmx"),
            "说明.docx": b"PK",
            "旧表.lrm": b'"x"',
            "__MACOSX/乡科级/._李建国.lrmx": b"\x00\x05",
            "Thumbs.db": b"",
        }
    )
    results = dict(read_zip(data))
    assert list(results) == [
        "乡科级/李建国.lrmx",
        "乡科级/坏文件.lrmx",
        "乡科级/马超.LRMX",
        "说明.docx",
        "旧表.lrm",
    ]
    assert results["乡科级/李建国.lrmx"].name == "李建国"
    assert results["乡科级/坏文件.lrmx"][0].startswith("文件不是有效的 XML")
    assert results["乡科级/马超.LRMX"].name == "马超"
    assert results["说明.docx"] == ["不是干部任免审批表（.lrmx）文件，未导入。"]
    assert "另存为 .lrmx" in results["旧表.lrm"][0]


def test_read_zip_accepts_gbk_names_without_the_utf8_flag():
    # Written with a same-length ASCII name, then the name bytes swapped for GBK: zipfile
    # itself would set the UTF-8 flag for a Chinese name.
    data = zip_of({"AAAA.lrmx": sample("standard.lrmx")})
    data = data.replace(b"AAAA.lrmx", "张伟.lrmx".encode("gbk"))
    [(name, form)] = read_zip(data)
    assert name == "张伟.lrmx"
    assert form.name == "李建国"


def test_read_zip_refuses_path_tricks():
    data = zip_of(
        {
            "../../etc/evil.lrmx": sample("standard.lrmx"),
            "/abs/evil.lrmx": sample("standard.lrmx"),
            "C:/evil.lrmx": sample("standard.lrmx"),
            "a\\..\\evil.lrmx": sample("standard.lrmx"),
        }
    )
    results = read_zip(data)
    assert len(results) == 4
    for _, errors in results:
        assert errors == ["文件名中含有绝对路径或“..”，出于安全原因拒绝读取。"]


def test_read_zip_limits(monkeypatch):
    three = zip_of({f"{n}.lrmx": sample("standard.lrmx") for n in range(3)})
    monkeypatch.setattr(lrmx_zip, "MAX_ZIP_FILES", 2)
    with pytest.raises(LrmxError, match="超过一次导入的上限 2 个"):
        read_zip(three)
    monkeypatch.setattr(lrmx_zip, "MAX_ZIP_FILES", 5000)
    # A file that unpacks to more than the limit; zeros compress a thousandfold.
    bomb = zip_of({"bomb.lrmx": b"\x00" * 200_000, "ok.lrmx": sample("standard.lrmx")})
    assert len(bomb) < 5_000
    monkeypatch.setattr(lrmx_zip, "MAX_FILE_BYTES", 100_000)
    results = dict(read_zip(bomb))
    assert results["bomb.lrmx"][0].startswith("文件解压后超过")
    assert results["ok.lrmx"].name == "李建国"
    monkeypatch.setattr(lrmx_zip, "MAX_ZIP_BYTES", 150_000)
    with pytest.raises(LrmxError, match="压缩包解压后超过"):
        read_zip(zip_of({"a.lrmx": b"\x00" * 90_000, "b.lrmx": b"\x00" * 90_000}))


def test_read_zip_refuses_what_is_not_a_zip():
    with pytest.raises(LrmxError) as caught:
        read_zip(sample("standard.lrmx"))
    assert caught.value.messages == ["文件不是有效的 zip 压缩包，或压缩包已损坏。"]


def test_write_zip_round_trip_with_unique_names():
    files = [
        ("张伟.lrmx", sample("standard.lrmx")),
        ("export/张伟.lrmx", sample("bom_crlf.lrmx")),
        ("陈静.lrmx", sample("newer_version.lrmx")),
    ]
    data = write_zip(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["张伟.lrmx", "张伟（2）.lrmx", "陈静.lrmx"]
        assert archive.read("张伟（2）.lrmx") == sample("bom_crlf.lrmx")
    assert [form.name for _, form in read_zip(data)] == ["李建国", "孙立华", "陈静"]


# ---------------------------------------------------------------- properties

ID_NUMBERS = ["", "410522197805121031", "41052319830214104X", "11010519491231002X"]
chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
awkward = st.sampled_from(list("&<>\"'　 ;；（）-—.,0123456789xX]]>\t"))
line = st.text(st.one_of(chinese, awkward), max_size=24)
single_line = line.map(lambda text: text.strip(" \t\r\n"))
paragraph = (
    st.lists(line, max_size=6)
    .map("\n".join)
    .map(lambda text: text if text.strip(" \t\r\n") else "")
)
party_note = st.text(chinese, max_size=8).filter(lambda text: text[:1] not in "年月日")


def year_months(*, days):
    day = st.integers(1, 28) if days else st.none() | st.integers(1, 28)
    return st.none() | st.builds(YearMonth, st.integers(1900, 2100), st.integers(1, 12), day)


def forms(*, days=False):
    kinds = {
        "text": single_line,
        "paragraph": paragraph,
        "date": year_months(days=days),
        "party": year_months(days=days),
        "id": st.sampled_from(ID_NUMBERS),
        "photo": st.binary(max_size=48),
    }
    member = st.builds(FamilyMember, **{f.attr: kinds[f.kind] for f in FAMILY_FIELDS})
    values = {f.attr: kinds[f.kind] for f in PERSON_FIELDS if f.kind != "family"}
    values["version"] = st.text(st.sampled_from("0123456789."), min_size=1, max_size=9)
    return st.builds(
        AppointmentForm,
        **values,
        party_joined_note=party_note,
        family=st.lists(member, max_size=4),
    )


@settings(max_examples=80, deadline=None)
@given(forms())
def test_any_form_survives_a_new_file(form):
    assert parse(write(form)) == form


@settings(max_examples=40, deadline=None)
@given(form=forms(days=True), name=st.sampled_from(SAMPLES))
def test_any_form_survives_writing_over_an_original(form, name):
    data = sample(name)
    out = write(form, original=data)
    assert parse(out) == form
    assert out.startswith(codecs.BOM_UTF8) == data.startswith(codecs.BOM_UTF8)
    if b"\r\n" in data:
        assert out.count(b"\n") == out.count(b"\r\n")
