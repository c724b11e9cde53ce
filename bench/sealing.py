"""Encrypted columns written by the province build (加密字段的批量写入): the rows are COPY
text, so they bypass the model fields that encrypt on save. Given a model and the clear values
of some of its columns, these give the stored values: the ciphertext of each encrypted field
(core.crypto, bound to its column as the field binds it) followed by its blind index and masked
copy (the field's `derived`, as core.fields.sealed_derived and members/services/bulk.py write
them). A column that is not an EncryptedCharField passes through unchanged, so a builder
writes the same whether a model is sealed yet or not.
"""

from zuzhi.core import crypto
from zuzhi.core.fields import sealed_fields


def stored_values(model, values: dict) -> dict:
    """The stored column values of `values` (clear, by column name): each encrypted value
    replaced by its ciphertext, its companions added; everything else as given."""
    result = dict(values)
    for field in sealed_fields(model):
        if field.attname not in values:
            continue
        plain = values[field.attname]
        result[field.attname] = crypto.encrypt(plain, context=field.context) if plain else plain
        derived = field.derived(plain)
        for name in field.companions():
            result[model._meta.get_field(name).column] = derived[name]
    return result


class Sealer:
    """The same for positional rows (COPY): `columns` are the columns a builder writes, in
    order; `self.columns` adds the companions of the encrypted ones at the end, and `row`
    turns a row of clear values into the stored row in that order."""

    def __init__(self, model, columns: list[str]):
        by_column = {f.attname: f for f in sealed_fields(model)}
        self.at = [(i, by_column[c]) for i, c in enumerate(columns) if c in by_column]
        opts = model._meta
        companions = [opts.get_field(n).column for _, f in self.at for n in f.companions()]
        if set(companions) & set(columns):
            raise ValueError(f"{opts.db_table}: companions are written by the sealer, not given")
        self.columns = [*columns, *companions]

    def seal(self, *plains: str) -> tuple[list[str], list[str]]:
        """The stored values of the encrypted columns' plaintexts (in their column order) and
        the companions' values (in `self.columns` order)."""
        stored, extra = [], []
        for (_, field), plain in zip(self.at, plains, strict=True):
            stored.append(crypto.encrypt(plain, context=field.context) if plain else plain)
            derived = field.derived(plain)
            extra += [derived[n] for n in field.companions()]
        return stored, extra

    def row(self, values) -> list:
        if not self.at:
            return values
        values = list(values)
        stored, extra = self.seal(*(values[i] for i, _ in self.at))
        for (i, _), value in zip(self.at, stored, strict=True):
            values[i] = value
        return values + extra
