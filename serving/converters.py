"""URL converters shared by every app.

`<id:pk>` is `<int:pk>` bounded to 18 digits: a database id fits a 64-bit integer, and a
longer number in a URL is a 404 at the resolver instead of an overflow in the database
(SQLite raises OverflowError on such a lookup).
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
