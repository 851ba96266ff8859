"""Turning one row of cells into typed values, with a message per cell that cannot be read."""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from lejek.dataio import fields, parsing, reading


class RowError(Exception):
    """A row that cannot be imported: the field at fault and a message for the user."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# Columns whose cells repeat (dates, stage names, yes/no): each distinct text is read once.
CACHED = (fields.DATE, fields.DATETIME, fields.BOOL)
CACHE_SIZE = 100_000


@dataclass
class Columns:
    """How each mapped column is read, decided once from all its values."""

    kind: str
    date_orders: dict[str, str] = field(default_factory=dict)
    number_styles: dict[str, str | None] = field(default_factory=dict)
    # (field, cell text) → value, or the ParseError it raised
    _read: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def study(cls, kind: str, table: reading.Table, columns: dict[str, str]) -> "Columns":
        spec = fields.KINDS[kind].by_name
        result = cls(kind)
        for index, header in enumerate(table.header):
            name = columns.get(header)
            if not name or name not in spec:
                continue
            # Only dates and numbers are studied: the distinct values of the text columns
            # (a million deal ids) took most of the time for nothing (8,000,000 history
            # rows: 1.6 s, against 5.0 s collecting them too).
            if spec[name].type in (fields.DATE, fields.DATETIME):
                result.date_orders[name] = parsing.date_order(_distinct(table.column(index)))
            elif spec[name].type in (fields.MONEY, fields.INT):
                result.number_styles[name] = parsing.number_style(_distinct(table.column(index)))
        return result

    def convert(self, cells: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
        """Values of the non-blank cells, and an error for each cell that cannot be read."""
        _, values, errors = self.read(cells)
        return values, errors

    def read(self, cells: dict[str, Any]) -> tuple[bool, dict[str, Any], list[RowError]]:
        """(is every cell blank?, values, errors): `convert`, and whether the row is blank."""
        spec = fields.KINDS[self.kind].by_name
        values: dict[str, Any] = {}
        errors: list[RowError] = []
        blank = True
        for name, cell in cells.items():
            if cell.__class__ is str:  # CSV cells: text is the cell stripped (parsing.text)
                cell_text = cell.strip()
                if not cell_text:
                    continue
            elif parsing.is_blank(cell):
                continue
            else:
                cell_text = None
            blank = False
            f = spec[name]
            if f.type == fields.TEXT and cell_text is not None:
                values[name] = cell_text
                continue
            if f.type in CACHED and cell_text is not None:
                value = self.cached(f, cell)
                if isinstance(value, parsing.ParseError):
                    errors.append(RowError(name, str(value)))
                else:
                    values[name] = value
                continue
            try:
                values[name] = self._value(f, cell)
            except parsing.ParseError as exc:
                errors.append(RowError(name, str(exc)))
        for f in _required(self.kind):
            if f.name not in values and not any(e.field == f.name for e in errors):
                errors.append(RowError(f.name, f"{f.label} is required."))
        return blank, values, errors

    def cached(self, f: fields.Field, cell: Any) -> Any:
        """The value of a non-blank text cell of a CACHED field, or the ParseError it gives;
        each distinct text is read once."""
        read = self._read
        key = (f.name, cell)
        value = read.get(key, read)
        if value is read:
            if len(read) >= CACHE_SIZE:
                read.clear()
            try:
                value = self._value(f, cell)
            except parsing.ParseError as exc:
                value = exc
            read[key] = value
        return value

    def _value(self, f: fields.Field, cell: Any) -> Any:
        if f.type == fields.TEXT:
            return parsing.text(cell)
        if f.type == fields.EMAIL:
            email = parsing.text(cell).lower()
            try:
                validate_email(email)
            except ValidationError as exc:
                raise parsing.ParseError(
                    f"'{parsing.text(cell)}' is not an email address."
                ) from exc
            return email
        if f.type == fields.DATE:
            return parsing.parse_date(cell, self.date_orders.get(f.name, parsing.DAY_FIRST))
        if f.type == fields.DATETIME:
            return parsing.parse_datetime(cell, self.date_orders.get(f.name, parsing.DAY_FIRST))
        if f.type == fields.MONEY:
            return parsing.parse_decimal(cell, self.number_styles.get(f.name))
        if f.type == fields.INT:
            return parsing.parse_int(cell, self.number_styles.get(f.name))
        if f.type == fields.BOOL:
            return parsing.parse_bool(cell)
        raise AssertionError(f.type)


def _distinct(values: list[Any]) -> list[Any]:
    """Each value once: how a column is read depends on which texts occur, not how often."""
    try:
        return list(dict.fromkeys(values))
    except TypeError:  # an unhashable spreadsheet cell: judge them all
        return values


@cache
def _required(kind: str) -> tuple[fields.Field, ...]:
    return tuple(f for f in fields.KINDS[kind].by_name.values() if f.required)


def is_blank_row(cells: list[Any]) -> bool:
    return all(parsing.is_blank(c) for c in cells)


def split_name(full: str) -> tuple[str, str]:
    """ "Anna Maria Nowak" → ("Anna Maria", "Nowak"); "Nowak, Anna" → ("Anna", "Nowak")."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    parts = full.split()
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]
