from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """50 a page, ``?page=2``; the total and the next and previous pages' links beside."""

    page_size = 50
    page_query_param = "page"
