"""Pages of figures without counting them: at national scale a COUNT(*) over the
figures costs more than the page itself, which the ordering index serves directly."""

from __future__ import annotations

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class UncountedPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = self._positive(request.query_params.get(self.page_query_param), 1)
        self.size = min(
            self._positive(
                request.query_params.get(self.page_size_query_param), self.page_size
            ),
            self.max_page_size,
        )
        start = (self.page - 1) * self.size
        # One row more than the page tells whether a next page exists.
        rows = list(queryset[start : start + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    @staticmethod
    def _positive(value: str | None, default: int) -> int:
        try:
            number = int(value) if value is not None else default
        except ValueError:
            return default
        return number if number > 0 else default

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
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Figures per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
