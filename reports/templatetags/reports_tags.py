import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


BULLET = re.compile(r"^\s*[-*•]\s+")


@register.filter
def summary_html(text: str) -> str:
    """The executive summary as GOV.UK body text: a paragraph per blank-line-separated
    block (a single line break kept), and a block whose every line starts with "-", "*"
    or "•" as a bulleted list. Everything the author wrote is escaped."""
    parts = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            items = format_html_join("", "<li>{}</li>", ((BULLET.sub("", x),) for x in lines))
            parts.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            body = format_html_join(mark_safe("<br>"), "{}", ((x,) for x in lines))
            parts.append(format_html('<p class="govuk-body">{}</p>', body))
    return format_html_join("\n", "{}", ((part,) for part in parts))
