from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``?page=2&page_size=200``: 100 rows a page unless asked, at most 500."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
