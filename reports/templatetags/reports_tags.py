from django import template

from core.charts import svg_data_uri
from reports.render import format_cell

register = template.Library()


@register.filter
def svg_uri(svg: str) -> str:
    return svg_data_uri(svg or "")


@register.simple_tag
def cells(row, columns):
    """Each cell of a row with its shown text and whether it is a number."""
    return [
        {"text": format_cell(value, column["format"]), "numeric": column["format"] != "text"}
        for value, column in zip(row, columns, strict=False)
    ]
