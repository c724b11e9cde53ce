"""What the province build writes its rows with (province_build.py and its parts): the shared
figures and name pools of the generated people, the organizations' shape in memory, and COPY
text for one table (`Writer`)."""

import datetime
import functools
import json
import random
import re
from dataclasses import dataclass, field

TODAY = datetime.date(2026, 12, 5)
YEAR_START = datetime.date(2025, 12, 6)
STAMP = "2026-01-05 09:00:00+08"
PASSWORD = "Bench-province-2026!"
DIGITS = re.compile(r"[0-9]+")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤单乐"
)
MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞斌宇浩凯健俊帆建国志永海波春林文兵东峰新亮成龙德福"
FEMALE = "芳娜敏静丽艳娟霞秀玲桂英红梅兰琴云莲洁燕萍华慧玉雪琳晶颖倩婷佳丹蓉凤菊"
# Weights of the age bands of AGE_BANDS (≤35, 36–45, 46–55, 56–60, ≥61) among members.
AGE_BANDS = ((19, 35, 24), (36, 45, 20), (46, 55, 21), (56, 60, 9), (61, 92, 26))
# ZB64 codes with shares among members (研究生, 大学, 大专, 中专, 高中, 初中, 小学).
EDUCATIONS = (("11", 3), ("21", 24), ("31", 25), ("35", 7), ("37", 15), ("38", 20), ("39", 6))
ETHNICITIES = (("01", 92), ("03", 3), ("08", 2), ("06", 1), ("02", 1), ("10", 1))
CATEGORY_VILLAGE = (("farmer", 62), ("retired", 18), ("worker", 6), ("other", 10), ("student", 4))
CATEGORY_UNIT = (
    ("civil_servant", 40),
    ("manager", 14),
    ("professional", 26),
    ("worker", 6),
    ("retired", 10),
    ("military", 1),
    ("other", 3),
)


def pick(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Org:
    id: int
    path: str
    kind: str  # county, township, village, unit, province, organs, general
    county: int  # index of its county (-1 for the province)
    parent: "Org | None" = None
    children: list = field(default_factory=list)
    members: tuple[int, int] = (0, 0)  # [first id, last id] of its members


class Writer:
    """COPY text for one table: the given columns, then the blind index and masked copy of
    each encrypted one (given in clear, written sealed: bench/sealing.py), then constants for
    every other NOT NULL column (the model field's default, the build's time for auto_now
    fields)."""

    def __init__(self, cursor, model, columns: list[str]):
        from django.db import connection
        from sealing import Sealer

        self.cursor = cursor
        self.model = model
        self.table = model._meta.db_table
        self.sealer = Sealer(model, columns)
        columns = self.sealer.columns
        fixed = {}
        for f in model._meta.concrete_fields:
            if f.attname in columns or f.null:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                fixed[f.attname] = STAMP
            elif f.primary_key:
                continue
            else:
                if f.unique or (f.has_default() and callable(f.default) and f.unique):
                    raise ValueError(f"{self.table}.{f.attname}: unique, give it a value")
                value = f.get_default()
                if value is None:
                    raise ValueError(f"{self.table}.{f.attname}: NOT NULL without a value")
                fixed[f.attname] = text(f.get_db_prep_save(value, connection=connection))
        self.columns = [*columns, *fixed]
        self.tail = "".join("\t" + v for v in fixed.values())
        self.rows = 0
        self.buffer: list[str] = []
        self.copy = None

    def __enter__(self):
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self._ctx = self.cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN')
        self.copy = self._ctx.__enter__()
        return self

    def row(self, *values) -> None:
        values = self.sealer.row(values)
        self.buffer.append("\t".join(map(text, values)) + self.tail + "\n")
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer).encode())
            self.rows += len(self.buffer)
            self.buffer = []

    def __exit__(self, *exc):
        if exc[0] is None:
            self.flush()
        return self._ctx.__exit__(*exc)


def text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    if hasattr(value, "obj"):  # psycopg's Jsonb, as Django prepares a JSON default
        return json.dumps(value.obj, ensure_ascii=False)
    return str(value)


def numbered_initials(name: str) -> str:
    """pinyin_initials of a generated name: computed once per pattern (the name with its
    numbers taken out), the numbers put back (pypinyin keeps digits as they are)."""
    numbers = DIGITS.findall(name)
    pattern = _pattern_initials(DIGITS.sub("#", name))
    return pattern.replace("#", "{}").format(*numbers)


@functools.cache
def _pattern_initials(pattern: str) -> str:
    from zuzhi.core.text import pinyin_initials

    return pinyin_initials(pattern)


def cumulative_shares(weights) -> list[float]:
    total = sum(weights)
    acc, out = 0.0, []
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out


def draw(cumulative: list[float], x: float) -> int:
    for i, c in enumerate(cumulative):
        if x < c:
            return i
    return len(cumulative) - 1
