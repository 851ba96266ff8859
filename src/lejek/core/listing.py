"""Shared API building blocks: error bodies, page parameters, sorting from an allowlist."""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import BeforeValidator, create_model

from lejek.core.errors import ValidationFailed

MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# Pydantic's lax mode would read JSON true as 1, 0 as false and 0 as 1970-01-01; a client
# sending those has a bug worth a 422, so numbers, flags and dates are checked first.
def _whole_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("Give a whole number, not true or false.")
    return value


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("Give true or false.")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError("Give a date as YYYY-MM-DD.")
    return value


def _iso_moment(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError("Give a date and time as YYYY-MM-DDTHH:MM[:SS][+HH:MM].")
    return value


Int = Annotated[int, BeforeValidator(_whole_number)]
IsoMoment = Annotated[datetime.datetime, BeforeValidator(_iso_moment)]
Flag = Annotated[bool, BeforeValidator(_flag)]  # in JSON bodies (a query string says "true")
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
# Ids and versions from clients are bounded so no value can overflow the database driver.
Id = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_ID)]
Version = Annotated[
    int,
    BeforeValidator(_whole_number),
    Field(ge=1, le=2**31 - 1, description="The version you read"),
]
Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code")]


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None
    current_version: int | None = None
    retry_after: int | None = Field(None, description="seconds to wait (429; also Retry-After)")


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares; 400, 401, 422 and 429 come with every one."""
    return {code: ErrorOut for code in sorted({400, 401, 422, 429, *codes})}


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    sort: str | None = Field(
        None, max_length=200, description="Comma-separated fields, `-` for descending"
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return create_model(  # type: ignore[call-overload,no-any-return]
        name,
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        page=(int, ...),
        page_size=(int, ...),
        has_next=(bool, ...),
    )


def order_by(allowed: dict[str, str], sort: str | None, default: str) -> list[str]:
    """Translate `-amount,title` into ORM ordering, refusing anything not allowlisted."""
    keys = [k.strip() for k in (sort or default).split(",") if k.strip()]
    ordering: list[str] = []
    for key in keys:
        name = key.removeprefix("-")
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ValidationFailed.field("sort", f"Cannot sort by '{name}'. Use one of: {choices}.")
        ordering.append(("-" if key.startswith("-") else "") + allowed[name])
    last = ordering[-1] if ordering else ""
    ordering.append("-id" if last.startswith("-") else "id")
    return ordering


def paginate(
    qs: QuerySet[Any], params: PageParams, allowed_sorts: dict[str, str], default_sort: str
) -> dict[str, Any]:
    """One page without COUNT(*): fetch one extra row to know whether another page exists."""
    qs = qs.order_by(*order_by(allowed_sorts, params.sort, default_sort))
    start = (params.page - 1) * params.page_size
    rows = list(qs[start : start + params.page_size + 1])
    return {
        "items": rows[: params.page_size],
        "page": params.page,
        "page_size": params.page_size,
        "has_next": len(rows) > params.page_size,
    }
