from django.shortcuts import render
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .export import table_csv_response
from .home import home_context


def home(request):
    return render(request, "core/home.html", home_context(request.user))


class FilteredTableView(SingleTableMixin, FilterView):
    """A sortable, filterable, paginated table that also downloads as CSV (``?format=csv``)."""

    template_name = "core/table_page.html"
    export_name = "export"
    page_title = ""
    strict = False  # an invalid filter shows its error and the unfiltered list

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            filterset = self.get_filterset(self.get_filterset_class())
            queryset = filterset.qs if filterset.is_valid() else self.get_queryset()
            table = self.get_table_class()(queryset, **self.get_table_kwargs())
            table.order_by = request.GET.get("sort")
            return table_csv_response(table, f"{self.export_name}.csv")
        return super().get(request, *args, **kwargs)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.caption = getattr(table, "caption", None) or self.page_title
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        query = self.request.GET.copy()
        query["format"] = "csv"
        query.pop("page", None)
        context["csv_query"] = query.urlencode()
        return context
