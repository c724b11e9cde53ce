"""Model fields for personal data encrypted at rest (加密存储字段): see core.crypto.

A model declares, for each encrypted value, three columns:

    id_number = EncryptedCharField("公民身份号码", kind="id_number", max_length=18,
                                   index_field="id_number_index", masked_field="id_number_masked")
    id_number_index = BlindIndexField(source="id_number", unique=True)
    id_number_masked = MaskedField(source="id_number")

The model subclasses `SealedModel` and its manager's queryset `SealedQuerySetMixin` (a system
check says so). The Python value of `id_number` is the plaintext; the column holds the
ciphertext. Loading a row decrypts nothing: the value is decrypted on first read of the
attribute, so a page that shows only the masked copy (`id_number_masked`, written with the
row) never decrypts. The index and the masked copy are derived from the plaintext whenever it
is set, on every path that writes: save, create, bulk_create, bulk_update, update.

Lookups: `exact` and `in` go through the blind index (filter(id_number=x) works, on the
index column); `isnull` works; any other lookup or transform raises FieldError. Ordering or
grouping by the column is meaningless (random nonces) and must not be written.
`values()` and `values_list()` of the model's own queryset give plaintexts (decrypting);
through a relation from another model (`values("member__phone")`) they give `Sealed` values,
which have no str() and no equality: call `.reveal()`.
"""

from django import forms
from django.core import checks
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    FieldError,
    ImproperlyConfigured,
)
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import IsNull, Lookup
from django.db.models.query_utils import DeferredAttribute

from . import crypto
from .scope import ScopedQuerySet


class Sealed:
    """A stored ciphertext not decrypted yet. `reveal()` decrypts; it has no str() and no
    equality, so that it is never shown, compared or hashed by mistake."""

    __slots__ = ("context", "stored")

    def __init__(self, stored: str, context: str):
        self.stored, self.context = stored, context

    def reveal(self) -> str:
        return crypto.decrypt(self.stored, context=self.context)

    def __str__(self):
        raise TypeError("加密字段的值不能直接显示：解密请调用 .reveal()，显示请用脱敏字段。")

    def __eq__(self, other):
        raise TypeError("加密字段的值不能比较：按号码查找请用 filter(字段=号码)（走盲索引）。")

    __hash__ = None

    def __repr__(self) -> str:
        return "<Sealed>"

    def __reduce__(self):
        return (Sealed, (self.stored, self.context))


class SealedAttribute(DeferredAttribute):
    """Decrypts a loaded value on its first read and keeps the plaintext on the instance."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = instance.__dict__[self.field.attname] = value.reveal()
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class DerivedAttribute(DeferredAttribute):
    """A companion's value: computed from its source while the source holds a plaintext
    (set by code, or decrypted), else the stored one. Never decrypts."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        source = instance.__dict__.get(self.field.source_attname)
        if isinstance(source, str):
            return self.field.derive(source)
        if source is None and self.field.source_attname in instance.__dict__:
            return ""
        return super().__get__(instance, cls)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedCharField(models.TextField):
    """A short personal value (ID number, phone) kept as AES-GCM or SM4-GCM ciphertext."""

    descriptor_class = SealedAttribute

    def __init__(self, *args, kind: str, index_field: str, masked_field: str, **kwargs):
        if kind not in crypto.KINDS:
            raise ValueError(f"unknown kind {kind!r}: one of {sorted(crypto.KINDS)}")
        if kwargs.get("unique") or kwargs.get("db_index"):
            raise ValueError("a ciphertext cannot be unique or indexed: use the blind index")
        self.kind, self.index_field, self.masked_field = kind, index_field, masked_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs |= {"kind": self.kind, "index_field": self.index_field}
        kwargs["masked_field"] = self.masked_field
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        """The associated data binding a ciphertext to this column."""
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value, expression, connection):
        return Sealed(value, self.context) if value else value

    def to_python(self, value):
        return value if isinstance(value, Sealed) else super().to_python(value)

    def pre_save(self, model_instance, add):
        # The raw value: an unchanged row keeps its ciphertext, undecrypted.
        return model_instance.__dict__.get(self.attname)

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.stored
        if value is None or value == "":
            return value
        if hasattr(value, "resolve_expression"):
            raise FieldError(f"加密字段 {self.name} 只能写入具体的值，不能写入表达式。")
        return crypto.encrypt(str(value), context=self.context)

    def value_to_string(self, obj):
        raise FieldError(
            f"加密字段 {self.name} 不能序列化导出（dumpdata）：备份请用 zuzhi backup。"
        )

    def get_lookup(self, lookup_name):
        if lookup_name in SEALED_LOOKUPS:
            return SEALED_LOOKUPS[lookup_name]
        raise FieldError(_refused(self, lookup_name))

    def get_transform(self, lookup_name):
        raise FieldError(_refused(self, lookup_name))

    def formfield(self, **kwargs):
        # Skips TextField's textarea: the plaintext is a short value typed on one line.
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **(defaults | kwargs))

    def companions(self) -> tuple[str, str]:
        return self.index_field, self.masked_field

    def derived(self, plaintext: str | None) -> dict[str, str]:
        """The companion columns' values for a plaintext, by field name."""
        return {
            self.index_field: crypto.blind_index(self.kind, plaintext),
            self.masked_field: crypto.masked(self.kind, plaintext),
        }

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        opts = self.model._meta
        for name, kind in ((self.index_field, BlindIndexField), (self.masked_field, MaskedField)):
            try:
                companion = opts.get_field(name)
            except FieldDoesNotExist:
                companion = None
            if not isinstance(companion, kind) or companion.source != self.name:
                errors.append(
                    checks.Error(
                        f"{opts.label}.{self.name}: 缺少伴随字段 {name}（{kind.__name__}，"
                        f"source='{self.name}'）。",
                        obj=self,
                        id="zuzhi.E102",
                    )
                )
        return errors


def _refused(field, lookup_name: str) -> str:
    return (
        f"加密字段 {field.model._meta.label}.{field.name} 不支持“{lookup_name}”查询："
        "密文不能按内容比较。只能按完整号码精确查找（filter(字段=号码) 或 字段__in，走盲索引）。"
    )


class _CompanionField(models.CharField):
    descriptor_class = DerivedAttribute

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("editable", "blank", "default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs | {"source": self.source}

    @property
    def source_field(self) -> EncryptedCharField:
        return self.model._meta.get_field(self.source)

    @property
    def source_attname(self) -> str:
        return self.source

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        model_instance.__dict__[self.attname] = value
        return value


class BlindIndexField(_CompanionField):
    """The blind index of an encrypted field (盲索引): exact search and uniqueness."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", crypto.INDEX_HEX)
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def derive(self, plaintext: str) -> str:
        return crypto.blind_index(self.source_field.kind, plaintext)


class MaskedField(_CompanionField):
    """The masked copy of an encrypted field (脱敏副本), written with the row: lists, masked
    exports and audit snapshots show it without decrypting."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 24)
        super().__init__(*args, **kwargs)

    def derive(self, plaintext: str) -> str:
        return crypto.masked(self.source_field.kind, plaintext)


class _IndexLookup(Lookup):
    prepare_rhs = False

    def _index_sql(self, compiler, connection):
        field = getattr(self.lhs, "target", None)
        if not isinstance(self.lhs, Col) or not isinstance(field, EncryptedCharField):
            raise FieldError("加密字段只能按列本身精确查找。")
        index_field = field.model._meta.get_field(field.index_field)
        return field, compiler.compile(Col(self.lhs.alias, index_field))

    def _index_of_column(self, field, compiler):
        """The SQL of the other side's blind index when it is a column encrypted alike
        (an OuterRef to another table's ID number): indexes of one kind compare across
        tables. None for anything else."""
        other = getattr(self.rhs, "target", None)
        if not isinstance(self.rhs, Col) or not isinstance(other, EncryptedCharField):
            return None
        if other.kind != field.kind:
            raise FieldError("只能与同类加密字段比较（公民身份号码与公民身份号码）。")
        index = other.model._meta.get_field(other.index_field)
        return compiler.compile(Col(self.rhs.alias, index))

    def _plain(self, value):
        if hasattr(value, "resolve_expression"):
            raise FieldError("加密字段只能与具体的号码比较，不能与表达式或子查询比较。")
        return value.reveal() if isinstance(value, Sealed) else value


class BlindExact(_IndexLookup):
    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        field, (sql, params) = self._index_sql(compiler, connection)
        column = self._index_of_column(field, compiler)
        if column is not None:
            return f"{sql} = {column[0]}", (*params, *column[1])
        return f"{sql} = %s", (*params, crypto.blind_index(field.kind, self._plain(self.rhs)))


class BlindIn(_IndexLookup):
    lookup_name = "in"

    def as_sql(self, compiler, connection):
        field, (sql, params) = self._index_sql(compiler, connection)
        if hasattr(self.rhs, "resolve_expression"):
            self._plain(self.rhs)
        values = list(
            dict.fromkeys(crypto.blind_index(field.kind, self._plain(v)) for v in self.rhs)
        )
        if not values:
            raise EmptyResultSet
        return f"{sql} IN ({', '.join(['%s'] * len(values))})", (*params, *values)


SEALED_LOOKUPS = {"exact": BlindExact, "in": BlindIn, "isnull": IsNull}


def sealed_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def sealed_masked(obj, name: str) -> str | None:
    """The masked form of an encrypted field's value, read from its masked copy without
    decrypting; None if `name` is not an encrypted field of `obj`."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, EncryptedCharField):
        return None
    return getattr(obj, field.masked_field)


def sealed_derived(model, data: dict) -> dict[str, str]:
    """The companions' values for the encrypted fields' plaintexts in `data` (raw-SQL
    writers, which bypass the fields' descriptors)."""
    result = {}
    for field in sealed_fields(model):
        if field.name in data:
            result |= field.derived(data[field.name])
    return result


def with_companions(model, names) -> list[str]:
    """Field names, each encrypted one followed by its companions (update_fields and
    bulk_update must write them together)."""
    result = list(names)
    for field in sealed_fields(model):
        if field.name in result or field.attname in result:
            result += [n for n in field.companions() if n not in result]
    return result


class SealedModel(models.Model):
    """Base of a model with encrypted fields: save(update_fields=[…]) writes the companions of
    the encrypted fields it names."""

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = with_companions(type(self), update_fields)
        super().save(*args, update_fields=update_fields, **kwargs)


class SealedQuerySetMixin:
    """update() and bulk_update() write the companions of the encrypted fields they set."""

    def update(self, **kwargs):
        for field in sealed_fields(self.model):
            if field.name not in kwargs:
                continue
            value = kwargs[field.name]
            if not hasattr(value, "resolve_expression") and not isinstance(value, Sealed):
                kwargs |= field.derived(value)
            elif not all(name in kwargs for name in field.companions()):
                # bulk_update's CASE expressions come with their companions'; nothing else may.
                raise FieldError(f"加密字段 {field.name} 只能更新为具体的号码。")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        return super().bulk_update(objs, with_companions(self.model, fields), batch_size=batch_size)

    def values(self, *fields, **expressions):
        return _revealing(super().values(*fields, **expressions))

    def values_list(self, *fields, flat=False, named=False):
        return _revealing(super().values_list(*fields, flat=flat, named=named))


def _reveal(value):
    return value.reveal() if isinstance(value, Sealed) else value


_REVEALING = {}


def _revealing(queryset):
    """values() and values_list() of the model's own queryset give plaintexts: asking for an
    encrypted column by name is asking to decrypt it (each value counts as a decryption)."""
    base = queryset._iterable_class
    if base not in _REVEALING:

        def __iter__(self):
            for row in base.__iter__(self):
                if isinstance(row, Sealed):
                    yield row.reveal()
                elif isinstance(row, dict):
                    yield {k: _reveal(v) for k, v in row.items()}
                elif isinstance(row, tuple) and hasattr(row, "_make"):
                    yield row._make(_reveal(v) for v in row)
                elif isinstance(row, tuple):
                    yield tuple(_reveal(v) for v in row)
                else:
                    yield row

        _REVEALING[base] = type(f"Revealing{base.__name__}", (base,), {"__iter__": __iter__})
    queryset._iterable_class = _REVEALING[base]
    return queryset


class SealedScopedQuerySet(SealedQuerySetMixin, ScopedQuerySet):
    """The scoped queryset of a model with encrypted fields."""


def sealed_models() -> list:
    from django.apps import apps

    return [model for model in apps.get_models() if sealed_fields(model)]


def require_data_key() -> None:
    """Refuse to run without a data key once any model has encrypted fields (the web server
    calls this as it starts; `zuzhi check` and migrate report the same as an error)."""
    if sealed_models():
        crypto.keyring()


@checks.register(checks.Tags.security)
def check_sealed_models(app_configs=None, **kwargs):
    errors = []
    models_ = sealed_models()
    for model in models_:
        queryset = type(model._default_manager.get_queryset())
        if not issubclass(model, SealedModel) or not issubclass(queryset, SealedQuerySetMixin):
            errors.append(
                checks.Error(
                    f"{model._meta.label} 有加密字段：模型须继承 SealedModel，"
                    "默认管理器的查询集须继承 SealedQuerySetMixin。",
                    obj=model,
                    id="zuzhi.E101",
                )
            )
    if models_:
        try:
            crypto.keyring()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="zuzhi.E100"))
    return errors
