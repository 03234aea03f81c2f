from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=2&page_size=200``: 100 rows a page unless asked, at most 2,000 (a large
    service plan's items in one page: the benchmark measures that page)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 2000

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """DRF's, in OpenAPI 3.1's words: ``nullable`` is gone, null is a type."""
        found = super().get_paginated_response_schema(schema)
        for name in ("next", "previous"):
            link = found["properties"][name]
            link.pop("nullable", None)
            link["type"] = ["string", "null"]
        return found
