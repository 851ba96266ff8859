"""URL converter for record ids: digits that fit a 64-bit signed integer.

Larger numbers would overflow the database driver (a 500); with this converter
they simply don't match a route and answer 404.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
