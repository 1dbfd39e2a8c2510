"""One page of the below-target overview: at national scale thousands of
agencies are under their target in a year, so the overview shows them a page
at a time, furthest under it first, and reads the previous year's figures,
ranks and weakest criteria for that page only."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from indicators import admin_review as review
from indicators.models import IndicatorValue

PAGE_SIZE = 100


def _page_query(request: HttpRequest, number: int) -> str:
    """The overview's query string with its filters, at page `number`."""
    query = request.GET.copy()
    query["page"] = str(number)
    return query.urlencode()


def below_target_page(
    request: HttpRequest, values: QuerySet[IndicatorValue] | None
) -> dict:
    """The overview's rows of the page asked for (`?page=`; a page out of
    range gives the last, anything else the first), the total, and the links
    to the pages before and after; no rows when `values` is None."""
    if values is None:
        return {"rows": [], "total": 0, "page": None}
    page: Page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "rows": review.below_target_rows(list(page)),
        "total": page.paginator.count,
        "page": page if page.paginator.num_pages > 1 else None,
        "previous_query": _page_query(request, page.number - 1)
        if page.has_previous()
        else "",
        "next_query": _page_query(request, page.number + 1) if page.has_next() else "",
    }
