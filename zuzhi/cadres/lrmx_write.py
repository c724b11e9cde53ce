"""Writing appointment forms (干部任免审批表 `.lrmx`): a new file, or the imported one with
only what changed rewritten in place (see lrmx for what the files look like)."""

import base64
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from .lrmx import (
    DEFAULT_VERSION,
    FAMILY_ELEMENT,
    FAMILY_FIELDS,
    ILLEGAL_CHARS,
    ITEM_ELEMENT,
    PERSON_FIELDS,
    XML_SPACE,
    AppointmentForm,
    Document,
    FamilyMember,
    Field,
    LrmxError,
    Node,
    YearMonth,
    read_document,
)


class _Style(NamedTuple):
    newline: str
    indent: str


_CLEAN = _Style("\n", "  ")


def write(form: AppointmentForm, *, original: bytes | None = None) -> bytes:
    """The `.lrmx` file of `form`.

    With `original` (the file the form was read from), only the fields whose value changed
    are rewritten, in place: everything else, elements Zuzhi does not model, their order,
    comments, encoding, BOM and line ends, stays byte for byte; a date given without a day
    whose year and month did not change keeps its original spelling. Family members are
    matched to the original `<Item>`s by position (extra children of an Item are kept);
    added members are appended, removed ones are dropped from the end.

    Without it, a new file: UTF-8, declaration, standard element order, Version.
    """
    if original is not None:
        return rewrite(original, lambda _: form)
    _check_writable(form)
    form = replace(form, version=form.version or DEFAULT_VERSION)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_person(form, _CLEAN)}\n'.encode()


def rewrite(original: bytes, edit: Callable[[AppointmentForm], AppointmentForm]) -> bytes:
    """`original` with the form `edit` makes of the form read from it, written as `write`
    does with an original; the file is read once."""
    document = read_document(original)
    form = edit(document.form)
    _check_writable(form)
    style = _style(document)
    if document.root.self_closed:
        edits = [(document.root.start, document.root.end, _person(form, style))]
    else:
        edits = _person_edits(document, form, style)
    text = document.text
    for start, end, markup in sorted(edits, reverse=True):
        text = text[:start] + markup + text[end:]
    return document.bom + text.encode(document.encoding)


def _check_writable(form: AppointmentForm) -> None:
    errors = [
        f"{label}中含有 XML 文件不能保存的控制字符，请删除后再导出。"
        for label, value in _texts(form)
        if ILLEGAL_CHARS.search(value)
    ]
    if errors:
        raise LrmxError(errors)


def _texts(form: AppointmentForm):
    for f in PERSON_FIELDS:
        if f.kind in ("text", "paragraph", "id"):
            yield f.label, getattr(form, f.attr)
    yield "入党时间", form.party_joined_note
    for number, member in enumerate(form.family, start=1):
        for f in FAMILY_FIELDS:
            if f.kind == "text":
                yield f"家庭成员第 {number} 项的{f.label}", getattr(member, f.attr)


def _style(document: Document) -> _Style:
    """Line end and indentation of the original, for what is added to it; a file written on
    one line gets additions on that line."""
    newline = "\r\n" if "\r\n" in document.text else "\n"
    if not document.root.children:
        return _Style(newline, _CLEAN.indent)
    indent = _indent(document.text, document.root.children[0].start)
    if indent is None:
        return _Style("", "")
    return _Style(newline, indent)


def _indent(text: str, position: int) -> str | None:
    """The whitespace from the start of the line to `position`; None if the line has more."""
    line_start = text.rfind("\n", 0, position) + 1
    prefix = text[line_start:position]
    return prefix if line_start and not prefix.strip(XML_SPACE) else None


def _value(obj, f: Field):
    if f.kind == "party":
        return obj.party_joined, obj.party_joined_note
    return getattr(obj, f.attr)


def _same(f: Field, new, old) -> bool:
    # The registry keeps year and month: a day the file gave is not a change.
    if f.kind == "date" and new and old and new.day is None:
        return new[:2] == old[:2]
    return new == old


def _text(f: Field, value) -> str:
    if f.kind == "date":
        return _date_text(value)
    if f.kind == "party":
        date, note = value
        return "；".join(part for part in (_date_text(date), note) if part)
    if f.kind == "photo":
        return base64.b64encode(value).decode("ascii")
    return value


def _date_text(value: YearMonth | None) -> str:
    if value is None:
        return ""
    return f"{value.year:04d}{value.month:02d}" + (f"{value.day:02d}" if value.day else "")


def _escape(value: str, style: _Style) -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A CR would be read back as LF; line ends follow the file's.
    text = text.replace("\r", "&#13;")
    return text.replace("\n", style.newline) if style.newline == "\r\n" else text


def _element(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>"


def _person(form: AppointmentForm, style: _Style) -> str:
    children = "".join(
        style.newline + style.indent + _element(f.element, _inner(form, f, style, style.indent))
        for f in PERSON_FIELDS
    )
    return f"<Person>{children}{style.newline}</Person>"


def _inner(obj, f: Field, style: _Style, indent: str) -> str:
    if f.kind == "family":
        return _family(obj.family, style, indent)
    return _escape(_text(f, _value(obj, f)), style)


def _family(members: list[FamilyMember], style: _Style, indent: str) -> str:
    if not members:
        return ""
    item_indent = indent + style.indent
    items = "".join(
        style.newline + item_indent + _item(member, style, item_indent) for member in members
    )
    return items + style.newline + indent


def _item(member: FamilyMember, style: _Style, indent: str) -> str:
    child_indent = indent + style.indent
    children = "".join(
        style.newline + child_indent + _element(f.element, _inner(member, f, style, child_indent))
        for f in FAMILY_FIELDS
    )
    return _element(ITEM_ELEMENT, children + style.newline + indent)


def _person_edits(document: Document, form: AppointmentForm, style: _Style) -> list:
    old = document.form
    root = document.root
    changes = {
        f.element: _escape(_text(f, _value(form, f)), style)
        for f in PERSON_FIELDS
        if f.kind != "family" and not _same(f, _value(form, f), _value(old, f))
    }
    edits = []
    if form.family != old.family:
        container = next((c for c in root.children if c.tag == FAMILY_ELEMENT), None)
        if container is None or container.self_closed:
            changes[FAMILY_ELEMENT] = _family(form.family, style, style.indent)
        else:
            edits += _family_edits(document, container, form.family, style)
    order = tuple(f.element for f in PERSON_FIELDS)
    return edits + _field_edits(document.text, root, changes, order, style)


def _field_edits(text: str, parent: Node, changes: dict, order: tuple, style: _Style) -> list:
    """Replace the content of each changed child of `parent`; a child the original lacks is
    inserted after the nearest one before it in the standard order."""
    present = {}
    for child in parent.children:
        present.setdefault(child.tag, child)
    child_indent = (_indent(text, parent.start) or "") + style.indent if style.newline else ""
    edits, pending = [], []
    anchor = None

    def insert_pending():
        if not pending:
            return
        markup = "".join(
            style.newline + child_indent + _element(tag, changes[tag]) for tag in pending
        )
        if anchor is not None:
            edits.append((anchor.end, anchor.end, markup))
        elif parent.children:
            edits.append((parent.content_start, parent.content_start, markup))
        else:
            closing = style.newline + (_indent(text, parent.start) or "") if style.newline else ""
            edits.append((parent.content_start, parent.content_end, markup + closing))
        pending.clear()

    for tag in order:
        node = present.get(tag)
        if node is None:
            if changes.get(tag):
                pending.append(tag)
            continue
        insert_pending()
        anchor = node
        if tag in changes:
            edits.append(_replace_content(text, node, changes[tag]))
    insert_pending()
    return edits


def _replace_content(text: str, node: Node, inner: str) -> tuple[int, int, str]:
    if node.self_closed:
        # <X a="1"/> becomes <X a="1">…</X>: the start tag keeps its attributes.
        start_tag = text[node.start : node.end - 2].rstrip(XML_SPACE) + ">"
        return node.start, node.end, f"{start_tag}{inner}</{node.tag}>"
    return node.content_start, node.content_end, inner


def _family_edits(
    document: Document, container: Node, members: list[FamilyMember], style: _Style
) -> list:
    text = document.text
    items = [child for child in container.children if child.tag == ITEM_ELEMENT]
    item_indent = (_indent(text, container.start) or "") + style.indent if style.newline else ""
    order = tuple(f.element for f in FAMILY_FIELDS)
    edits = []
    for member, old, node in zip(members, document.form.family, items, strict=False):
        if member == old:
            continue
        if node.self_closed:
            indent = _indent(text, node.start) or ""
            edits.append((node.start, node.end, _item(member, style, indent)))
            continue
        changes = {
            f.element: _inner(member, f, style, "")
            for f in FAMILY_FIELDS
            if not _same(f, _value(member, f), _value(old, f))
        }
        edits += _field_edits(text, node, changes, order, style)
    added = members[len(items) :]
    if added and container.children:
        markup = "".join(
            style.newline + item_indent + _item(member, style, item_indent) for member in added
        )
        at = (items or container.children)[-1].end
        edits.append((at, at, markup))
    elif added:
        indent = _indent(text, container.start) or ""
        edits.append(
            (container.content_start, container.content_end, _family(added, style, indent))
        )
    for node in items[len(members) :]:
        # The item goes with the line break and indentation before it.
        position = container.children.index(node)
        before = container.children[position - 1].end if position else container.content_start
        edits.append((before, node.end, ""))
    return edits
