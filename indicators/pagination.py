"""Pages of figures without counting them: at national scale a COUNT(*) over the
figures costs more than the page itself, which the ordering index serves directly.

A page number or size that is not a positive whole number is refused as the
schema says (404 for the page, 400 for the size), in JSON: `?page=10**18` used to
reach PostgreSQL as an OFFSET beyond bigint, a 500."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class UncountedPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    page_query_param = "page"
    page_size_query_param = "page_size"

    # Beyond this page no list has rows (and the OFFSET stays within bigint).
    max_page = 10**9

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = self._page(request.query_params.get(self.page_query_param))
        self.size = self._size(request.query_params.get(self.page_size_query_param))
        start = (self.page - 1) * self.size
        # One row more than the page tells whether a next page exists.
        rows = list(queryset[start : start + self.size + 1])
        if not rows and self.page > 1:
            raise NotFound(_("No such page."))
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _page(self, value: str | None) -> int:
        if value is None:
            return 1
        number = _whole(value)
        if number is None or not 1 <= number <= self.max_page:
            raise NotFound(_("No such page."))
        return number

    def _size(self, value: str | None) -> int:
        if value is None:
            return self.page_size
        number = _whole(value)
        if number is None or number < 1:
            raise ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1.")]}
            )
        return min(number, self.max_page_size)

    def _link(self, page: int) -> str:
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page + 1) if self.has_next else None,
                "previous": self._link(self.page - 1) if self.page > 1 else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; a page past the last, or "
                "one that is not a whole number from 1, is a 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Figures per page, from 1 (else a 400); more than "
                f"{self.max_page_size} gives {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def _whole(value: str) -> int | None:
    """A positive or negative whole number in plain digits, or None (int() would
    also take "1_000" and "٣", and spend time on a million digits)."""
    value = value.strip()
    digits = value[1:] if value[:1] in "+-" else value
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(value)
