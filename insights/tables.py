import django_tables2 as tables
from django.utils.html import format_html

from core.tables import NUMERIC, GovukTable

from .models import LearningEvent, Lesson, RaidItem
from .selectors import theme_labels
from .templatetags.insights_tags import band_tag


class RaidTable(GovukTable):
    item = tables.Column(verbose_name="Item", accessor="title", order_by=("pk",), linkify=True)
    cluster = tables.Column(default="Programme-wide", order_by=("cluster__name",))
    owner = tables.Column(order_by=("owner__first_name", "owner__last_name"))
    score = tables.Column(attrs=NUMERIC)
    review_date = tables.DateColumn("j M Y", verbose_name="Review by")
    open_action_count = tables.Column(verbose_name="Open actions", attrs=NUMERIC)
    escalated_on = tables.DateColumn("j M Y", verbose_name="Escalated")

    class Meta(GovukTable.Meta):
        model = RaidItem
        fields = [
            "item",
            "kind",
            "cluster",
            "owner",
            "score",
            "status",
            "review_date",
            "open_action_count",
            "escalated_on",
        ]
        # nine columns: the smaller type keeps titles readable
        attrs = {**GovukTable.Meta.attrs, "class": "govuk-table govuk-!-font-size-16"}
        empty_text = "No risks, issues, assumptions or dependencies match."

    def render_item(self, record):
        return str(record)

    def value_item(self, record):
        return str(record)

    def render_score(self, record):
        return format_html("{} {}", record.score, band_tag(record.score))

    def value_score(self, record):
        return record.score

    def render_review_date(self, record, value):
        if record.review_overdue:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--red">Past review</strong>',
                f"{value:%-d %b %Y}",
            )
        return f"{value:%-d %b %Y}"

    def value_review_date(self, value):
        return value.isoformat()

    def value_escalated_on(self, value):
        return value.isoformat() if value else ""


class LessonTable(GovukTable):
    title = tables.Column(linkify=True)
    themes = tables.Column(verbose_name="Themes", accessor="pk", orderable=False)
    source_clusters = tables.Column(verbose_name="Source clusters", accessor="pk", orderable=False)
    stage = tables.Column(verbose_name="Stage", default="Every stage")
    published_on = tables.DateColumn("j M Y", verbose_name="Published")
    author = tables.Column(order_by=("author__first_name", "author__last_name"))

    class Meta(GovukTable.Meta):
        model = Lesson
        fields = [
            "title",
            "kind",
            "themes",
            "source_clusters",
            "stage",
            "status",
            "published_on",
            "author",
        ]
        empty_text = "No entries match."

    def render_themes(self, record):
        return theme_labels(record)

    def value_themes(self, record):
        return self.render_themes(record)

    def render_source_clusters(self, record):
        return ", ".join(c.name for c in record.source_clusters.all()) or "Programme-wide"

    def value_source_clusters(self, record):
        return self.render_source_clusters(record)

    def render_status(self, record):
        colour = "green" if record.is_published else "grey"
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
            colour,
            record.get_status_display(),
        )

    def value_status(self, record):
        return record.get_status_display()


class EventTable(GovukTable):
    topic = tables.Column(linkify=True)
    held_on = tables.DateColumn("j M Y", verbose_name="Date")
    attendee_count = tables.Column(verbose_name="LAs attending", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = LearningEvent
        fields = ["held_on", "topic", "kind", "facilitator", "attendee_count"]
        empty_text = "No learning events match."


class NotAttendedTable(GovukTable):
    local_authority = tables.Column(
        verbose_name="Local authority", order_by=("local_authority__name",)
    )
    cluster = tables.Column(order_by=("cluster__name",))
    region = tables.Column(
        accessor="local_authority__region__name", order_by=("local_authority__region__name",)
    )
    joined_on = tables.DateColumn("j M Y", verbose_name="In the cluster since")

    class Meta(GovukTable.Meta):
        fields = ["local_authority", "cluster", "region", "joined_on"]
        empty_text = "Every member LA has attended at least one learning event."
        per_page = 50
