"""The training record import (学习记录导入): the online platform's Excel export → services.

Each row is one person's completed course. Persons are matched by ID number to the cadres of
the uploader's cadre section (group "cadres") or the members of their branches (group
"members"); a course is found by name and year, or added to the catalogue as an online
course. A record already held is left as it is (a platform export is often re-imported), any
other problem is an error of its row and column, and an error anywhere writes nothing."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from zuzhi.cadres.models import Cadre
from zuzhi.cadres.models.scoping import cadre_section_q
from zuzhi.core.crypto import blind_index
from zuzhi.core.excel import CellError, Column, Row
from zuzhi.core.imports import ImportOutcome
from zuzhi.core.parsers import parse_date, parse_id_number, parse_person_name, parse_text
from zuzhi.members.models import Member

from .models import Course, CourseMode, Group
from .scoping import may_manage_group, member_writer_q
from .services import (
    RecordInput,
    course_create,
    record_bulk_check,
    record_bulk_insert,
    record_key,
    records_existing,
)

NAME, ID_NUMBER, COURSE, MINUTES, DATE, TEST = (
    "姓名",
    "公民身份号码",
    "课程名称",
    "学习时长（分钟）",
    "完成日期",
    "考试结果",
)
PASSED = {"通过", "合格", "是", "已通过", "及格"}
FAILED = {"未通过", "不合格", "否", "不及格"}


def parse_minutes(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, datetime.date):
        raise CellError("应为分钟数，如 45。")
    if isinstance(value, int | float):
        number = value
    else:
        text = parse_text(value).removesuffix("分钟").strip()
        try:
            number = float(text)
        except ValueError as exc:
            raise CellError(f"“{text}”不是分钟数，请填数字，如 45。") from exc
    if number != int(number) or not 0 < number <= 24 * 60:
        raise CellError("学习时长应为 1 至 1440 之间的整分钟数。")
    return int(number)


def parse_test(value: Any) -> bool:
    text = "".join(parse_text(value).split())
    if text in PASSED:
        return True
    if text in FAILED:
        return False
    raise CellError(f"“{text}”不是考试结果，请填“通过”或“未通过”，没有考试的课程留空。")


COLUMNS = [
    Column(NAME, "name", required=True, parse=parse_person_name),
    Column(ID_NUMBER, "id_number", required=True, parse=parse_id_number),
    Column(COURSE, "course_title", required=True, parse=parse_text),
    Column(MINUTES, "minutes", required=True, parse=parse_minutes, help="课程时长，整分钟"),
    Column(DATE, "completed_on", required=True, parse=parse_date),
    Column(
        TEST,
        "test_result",
        parse=parse_test,
        help="通过或未通过；没有考试的课程留空",
        choices=lambda: ["通过", "未通过"],
    ),
]
ERROR_COLUMNS = {"person": ID_NUMBER, "completed_on": DATE, "test_passed": TEST, "course": COURSE}


def _group(actor, params: dict) -> str:
    group = params.get("group")
    if group in Group.values:
        return group
    return Group.CADRES if may_manage_group(actor, Group.CADRES) else Group.MEMBERS


class TrainingImporter:
    kind = "training"
    title = "学习记录"
    label_field = "name"
    columns = COLUMNS
    notes = [
        "3. 每行是一人完成的一门课程；按身份证号对应已登记的干部（干部科导入）或党员"
        "（县、乡镇组织部门导入），未登记或不在您管理范围内的号码整行报错。",
        "4. 课程按课程名称和完成年度对应课程库；课程库中没有的按网络课程新增，时长取本表。",
        "5. 学时按课程时长计：30 分钟及以上 1 学时，15 至 30 分钟 0.5 学时，不足 15 分钟 "
        "0.25 学时；考试通过另加 0.5 学时。",
        "6. 已有的学习记录（同一人同一课程）不会重复登记。",
    ]

    def params_from(self, data) -> dict:
        group = data.get("group", "")
        return {"group": group} if group in Group.values else {}

    def apply(
        self,
        *,
        actor,
        rows: list[Row],
        outcome: ImportOutcome,
        progress,
        dry_run: bool,
        confirmed: frozenset[int] = frozenset(),
        params=None,
    ) -> None:
        group = _group(actor, params or {})
        persons = self._persons(actor, group, rows)
        courses = self._courses(rows)
        # A course added from the file has a test when any of its rows gives a result.
        tested = {
            (r.values["course_title"], r.values["completed_on"].year)
            for r in rows
            if r.values.get("test_result") is not None
            and r.values.get("course_title")
            and r.values.get("completed_on")
        }
        items: list[tuple[Row, RecordInput]] = []
        for done, row in enumerate(rows, start=1):
            item = self._item(actor, group, row, outcome, persons, courses, tested)
            if item is not None:
                items.append((row, item))
            progress(done // 2)
        existing = records_existing([i for _, i in items])
        fresh = [(row, i) for row, i in items if record_key(i) not in existing]
        if len(fresh) < len(items):
            outcome.count("unchanged", len(items) - len(fresh))
        good, errors = record_bulk_check(actor=actor, items=[i for _, i in fresh])
        for index, fields in errors.items():
            for field, messages in fields.items():
                for message in messages:
                    outcome.error(fresh[index][0].number, ERROR_COLUMNS.get(field, ""), message)
        if good:
            outcome.count("created", len(good))
        if not outcome.errors and not dry_run:
            record_bulk_insert(actor=actor, records=good)
        progress(len(rows))

    def _persons(self, actor, group: str, rows: list[Row]) -> dict[str, Any]:
        """The persons the uploader may record, by the blind index of their ID number (numbers
        are encrypted: matched index to index, no person's number decrypted), among those of
        the file."""
        keys = {blind_index("id_number", r.values.get("id_number")) for r in rows} - {""}
        if group == Group.CADRES:
            q, model = cadre_section_q(actor, "organization__path"), Cadre
        else:
            q, model = member_writer_q(actor, "organization__path"), Member
        if q is None:
            return {}
        found = {}
        keys = sorted(keys)
        for start in range(0, len(keys), 5000):
            chunk = keys[start : start + 5000]
            for person in model.objects.filter(q, id_number_index__in=chunk).select_related(
                "organization"
            ):
                found[person.id_number_index] = person
        return found

    def _courses(self, rows: list[Row]) -> dict[tuple[str, int], Course]:
        titles = {r.values.get("course_title") for r in rows} - {None}
        return {
            (c.title, c.year): c
            for c in Course.objects.filter(title__in=titles, mode=CourseMode.ONLINE)
        }

    def _course(self, actor, row: Row, outcome, courses, tested) -> Course | None:
        """The row's course: found by name and year, else added (online) with the row's
        length; a length differing from the catalogue's is an error of the row."""
        title, minutes = row.values.get("course_title"), row.values.get("minutes")
        done = row.values.get("completed_on")
        if not title or minutes is None or done is None:
            return None
        key = (title, done.year)
        course = courses.get(key)
        if course is None:
            try:
                course = course_create(
                    actor=actor,
                    data={
                        "title": title,
                        "mode": CourseMode.ONLINE,
                        "minutes": minutes,
                        "year": done.year,
                        "provider": "网络学习平台",
                        "has_test": key in tested,
                    },
                )
            except ValidationError as exc:
                for message in exc.messages:
                    outcome.error(row.number, COURSE, message)
                return None
            courses[key] = course
        elif course.minutes != minutes:
            outcome.error(
                row.number,
                MINUTES,
                f"课程“{title}”（{done.year} 年）在课程库中时长为 {course.minutes} 分钟，"
                f"与本行 {minutes} 分钟不一致，请核对。",
            )
            return None
        return course

    def _item(self, actor, group, row: Row, outcome, persons, courses, tested):
        for header, message in row.errors.items():
            outcome.error(row.number, header, message)
        number, name = row.values.get("id_number"), row.values.get("name")
        person = persons.get(blind_index("id_number", number)) if number else None
        if number and person is None:
            who = "干部" if group == Group.CADRES else "党员"
            outcome.error(row.number, ID_NUMBER, f"该身份证号未登记为{who}，或不在您的管理范围内。")
        elif person is not None and name and name != person.name:
            outcome.error(
                row.number, NAME, f"姓名与该身份证号登记的“{person.name}”不一致，请核对。"
            )
            person = None
        course = self._course(actor, row, outcome, courses, tested)
        if person is None or course is None or row.errors:
            return None
        return RecordInput(
            course=course,
            completed_on=row.values["completed_on"],
            test_passed=bool(row.values.get("test_result")),
            cadre=person if group == Group.CADRES else None,
            member=person if group == Group.MEMBERS else None,
        )


TRAINING_IMPORTER = TrainingImporter()
