"""Parameters every adapter reads the same way: object ids and bounded text.

An id beyond what a database key holds, or a search text far longer than any name, must
answer "not found" or an input error, never a 500 (PostgreSQL fails on a number past 64 bits;
SQLite refuses a LIKE pattern past 50,000 bytes). The API declares them as types, so pydantic
refuses them with the API's 422; pages read them with `id_param` and `text_param`.
"""

from typing import Annotated, Any

from django.http import Http404
from ninja import Body, Field
from ninja.patch_dict import ModelToDict
from ninja.utils import is_optional_type
from pydantic import BeforeValidator, create_model
from pydantic_core import PydanticCustomError

# Largest value of a primary key (BigAutoField, a signed 64-bit integer).
MAX_ID = 2**63 - 1
# Longer than any name, code or ID number searched for; far below SQLite's LIKE limit.
MAX_QUERY_TEXT = 100

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
# A list of ids in a body (attendees, awards): bounded in length as well as in value.
ObjectIds = Annotated[list[ObjectId], Field(max_length=10_000)]
QueryText = Annotated[str, Field(max_length=MAX_QUERY_TEXT)]


def object_id(value) -> int | None:
    """An id typed into a URL's query or a form: absent is None, anything but a valid id
    (letters, "-1", "١٢", a number past 64 bits) is not found."""
    raw = "" if value is None else str(value).replace("\x00", "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise Http404("未找到该对象。")
    return int(raw)


def id_param(params, name: str) -> int | None:
    """The id named `name` in a page's query string or form (see `object_id`)."""
    return object_id(params.get(name))


def text_param(params, name: str) -> str:
    """A search or filter text from a page's query string, stripped of NUL (PostgreSQL can
    neither store nor compare it) and cut to a length no name reaches."""
    return (params.get(name) or "").replace("\x00", "").strip()[:MAX_QUERY_TEXT]


def _refuse_null(value):
    if value is None:
        raise PydanticCustomError("null", "null is not allowed here")
    return value


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


class _Partial:
    """`Partial[SomeIn]`: a PATCH body as a dict of the fields sent. Unlike ninja's PatchDict,
    a field keeps its type: `null` is refused (422) where the full schema does not allow it,
    instead of reaching the database as NULL in a NOT NULL column."""

    def __getitem__(self, schema_cls: Any) -> Any:
        fields = {}
        for name, info in schema_cls.model_fields.items():
            metadata = list(info.metadata)  # the constraints (ge, le, max_length…)
            if not is_optional_type(info.annotation):
                metadata.append(BeforeValidator(_refuse_null))
            annotation = Annotated[(info.annotation, *metadata)] if metadata else info.annotation
            # A default that pydantic never validates: absent fields are simply not set, and
            # the documentation does not claim a default of null.
            default = Field(
                None, alias=info.alias, description=info.description, json_schema_extra=_no_default
            )
            fields[name] = (annotation, default)
        model = create_model(f"{schema_cls.__name__}Partial", __base__=schema_cls, **fields)

        class PartialDict(ModelToDict):
            _wrapped_model = model
            _wrapped_model_dump_params = {"exclude_unset": True}

        return Body[PartialDict]


Partial = _Partial()
