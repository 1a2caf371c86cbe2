from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """50 a page, ``?page=2``; the total and the next and previous pages' links beside."""

    page_size = 50
    page_query_param = "page"

    def get_page_number(self, request, paginator):
        # DRF reads an empty ``?page=`` as the first page; the schema says a whole number
        if request.query_params.get(self.page_query_param, None) == "":
            raise ValidationError({self.page_query_param: ["Give a page number: 1 or more."]})
        return super().get_page_number(request, paginator)
