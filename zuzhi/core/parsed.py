"""The rows a preview read, kept for the confirm (已解析的行).

Reading a large sheet again costs more than a third of a confirm. What a cell reads as cannot
change between preview and confirm (the file is the same), so the preview keeps its rows and
the confirm takes them back; everything that can change (scope, registered numbers, the
records to update) is still checked again by the importer. Compressed JSON, column by column
(a column's values are mostly of one kind, turned back in one pass); not pickle: the database
is not trusted to hand back code.
"""

import datetime
import json
import zlib
from decimal import Decimal
from typing import Any

from .cells import PartialDate
from .excel import NOTHING_SHOWN, Row, SheetRead


class NotPackable(TypeError):
    """A value of a kind this module does not keep; the confirm reads the file instead."""


def _pack(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is PartialDate:
        return {"p": value.day.isoformat(), "m": value.precision}
    if kind is datetime.date:
        return {"d": value.isoformat()}
    if kind is datetime.datetime:
        return {"t": value.isoformat()}
    if kind is Decimal:
        return {"n": str(value)}
    if kind is float:
        return {"f": repr(value)}
    raise NotPackable(kind.__name__)


def _unpack(value: Any) -> Any:
    if type(value) is not dict:
        return value
    if "p" in value:
        return PartialDate(datetime.date.fromisoformat(value["p"]), value["m"])
    if "d" in value:
        return datetime.date.fromisoformat(value["d"])
    if "t" in value:
        return datetime.datetime.fromisoformat(value["t"])
    if "n" in value:
        return Decimal(value["n"])
    return float(value["f"])


def _pack_column(values: list) -> dict:
    kinds = {type(v) for v in values} - {type(None)}
    if kinds <= {str, int, bool}:
        return {"plain": values}
    if kinds == {datetime.date}:
        return {"dates": [v.isoformat() if v is not None else None for v in values]}
    if kinds == {PartialDate}:
        return {"partial": [[v.day.isoformat(), v.precision] if v else None for v in values]}
    return {"tagged": [_pack(v) for v in values]}


def _unpack_column(column: dict) -> list:
    if "plain" in column:
        return column["plain"]
    if "dates" in column:
        parse = datetime.date.fromisoformat
        return [parse(v) if v is not None else None for v in column["dates"]]
    if "partial" in column:
        # The same days recur down a column: each is made once.
        made: dict[tuple[str, str], PartialDate] = {}
        out = []
        for v in column["partial"]:
            if v is None:
                out.append(None)
                continue
            key = (v[0], v[1])
            if key not in made:
                made[key] = PartialDate(datetime.date.fromisoformat(v[0]), v[1])
            out.append(made[key])
        return out
    return [_unpack(v) for v in column["tagged"]]


def rows_pack(sheet: SheetRead, fields: list[str]) -> bytes:
    """The rows of a clean preview (no cell errors) as compressed JSON, with the fields they
    were read for; b"" when a value cannot be kept (the confirm then reads the file)."""
    # Every row of one sheet has the same columns: which of the fields it has is kept once.
    present = [f for f in fields if sheet.rows and f in sheet.rows[0].values]
    try:
        columns = [_pack_column([row.values.get(f) for row in sheet.rows]) for f in present]
        document = {
            "sheet": sheet.sheet,
            "fields": fields,
            "present": present,
            "numbers": [row.number for row in sheet.rows],
            "columns": columns,
        }
        return zlib.compress(json.dumps(document, ensure_ascii=False).encode(), 1)
    except (NotPackable, UnicodeError, ValueError):
        return b""  # the confirm reads the file again


def rows_unpack(packed: bytes, fields: list[str]) -> SheetRead | None:
    """The kept rows, or None when they were read for other fields (the importer's columns
    changed since the preview, e.g. a contest's indicators) or nothing was kept."""
    if not packed:
        return None
    document = json.loads(zlib.decompress(packed))
    if document["fields"] != fields:
        return None
    present = document["present"]
    columns = [_unpack_column(c) for c in document["columns"]]
    rows = (
        [
            Row(
                number=number,
                values=dict(zip(present, values, strict=True)),
                errors={},
                shown=NOTHING_SHOWN,
            )
            for number, values in zip(document["numbers"], zip(*columns, strict=True), strict=True)
        ]
        if columns
        else [Row(number=number, values={}, errors={}) for number in document["numbers"]]
    )
    return SheetRead(sheet=document["sheet"], header_row=0, rows=rows, notices=[], columns_at={})
