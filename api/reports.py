"""Issued reports through the API, for DfE tokens: each as its frozen snapshot (JSON), and
as the same PDF and XLSX the web serves, rendered from that snapshot by reports.render."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.reverse import reverse

from reports import render as formats
from reports import selectors
from reports.models import Kind, Report, Status
from reports.views import file_response

from .permissions import IsDfeToken
from .query import read_query
from .serializers import StrictSerializer
from .views import LoggedAPIView, LoggedListView, account


class ReportLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    pdf = serializers.URLField(help_text="The PDF, downloaded with the same token")
    xlsx = serializers.URLField(help_text="The spreadsheet, downloaded with the same token")


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.values)
    period_start = serializers.DateField(help_text="First day of the month or quarter")
    period = serializers.CharField(help_text="e.g. May 2024, or Apr to Jun 2024")
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[Status.ISSUED])
    issued_at = serializers.DateTimeField()
    data_as_at = serializers.DateTimeField(help_text="The figures are the data at this time")
    checksum = serializers.CharField(help_text="sha256 of the frozen snapshot")
    replaces = serializers.IntegerField(
        allow_null=True, help_text="The issued version this one corrects"
    )
    replaced_by = serializers.IntegerField(
        allow_null=True, help_text="The issued correction of this version, if any"
    )
    links = ReportLinksSerializer()


class ReportDetailSerializer(ReportSerializer):
    snapshot = serializers.DictField(
        help_text="The report as issued: summary, key figures and sections of blocks, each "
        "block with its tables (caption, columns with their format, rows) and text"
    )


def issued_reports(request):
    """Issued reports through the reports area's own scope for the token's account."""
    corrections = Report.objects.filter(replaces=OuterRef("pk"), status=Status.ISSUED)
    return (
        selectors.reports_for_user(account(request))
        .filter(status=Status.ISSUED)
        .annotate(replaced_by=Subquery(corrections.order_by("version").values("pk")[:1]))
    )


def represent(report: Report, request) -> dict:
    pk = report.pk
    return {
        "id": pk,
        "kind": report.kind,
        "period_start": report.period_start,
        "period": report.period_label,
        "version": report.version,
        "status": report.status,
        "issued_at": report.issued_at,
        "data_as_at": report.data_as_at,
        "checksum": report.checksum,
        "replaces": report.replaces_id,
        "replaced_by": report.replaced_by,
        "links": {
            "self": reverse("api:report_detail", args=[pk], request=request),
            "pdf": reverse("api:report_pdf", args=[pk], request=request),
            "xlsx": reverse("api:report_xlsx", args=[pk], request=request),
        },
    }


class ReportQuerySerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Kind.values, required=False)


@extend_schema_view(
    get=extend_schema(
        operation_id="reports_list",
        summary="List issued reports",
        description="Issued monthly progress reports and quarterly KPI reports, newest "
        "period first, 50 a page; every version, corrections pointing to what they replace. "
        "DfE tokens only (an LA token gets 403); drafts are never listed.",
        parameters=[ReportQuerySerializer],
        tags=["reports"],
    )
)
class ReportListView(LoggedListView):
    permission_classes = [IsDfeToken]
    serializer_class = ReportSerializer
    represent = staticmethod(represent)

    def get_queryset(self):
        filters = read_query(self.request, ReportQuerySerializer, allowed=("page",))
        reports = issued_reports(self.request).defer("snapshot")
        if "kind" in filters:
            reports = reports.filter(kind=filters["kind"])
        return reports


class ReportDetailView(LoggedAPIView):
    permission_classes = [IsDfeToken]

    @extend_schema(
        operation_id="reports_read",
        summary="Read an issued report",
        description="The report's frozen snapshot: the same figures as its web page, PDF "
        "and spreadsheet. A draft or unknown report: 404.",
        responses=ReportDetailSerializer,
        tags=["reports"],
    )
    def get(self, request, pk):
        report = get_object_or_404(issued_reports(request), pk=pk)
        return Response(
            {
                **represent(report, request),
                "snapshot": formats.snapshot_for(report, account(request)),
            }
        )


class ErrorsAsJson(BaseContentNegotiation):
    """A download answers with its file, or with a JSON error whatever the Accept header."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFileView(LoggedAPIView):
    """An issued report's file, rendered from its frozen snapshot as the web does."""

    permission_classes = [IsDfeToken]
    content_negotiation_class = ErrorsAsJson
    content_type = ""
    extension = ""

    def get(self, request, pk):
        report = get_object_or_404(issued_reports(request), pk=pk)
        # the stored file the web serves, with its ETag (304 when the caller has it)
        return file_response(
            request, report, formats.snapshot_for(report, account(request)), self.extension
        )


def _file_schema(label: str, content_type: str, description: str):
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"reports_{label.lower()}",
            summary=f"Download an issued report as {label}",
            description=f"{description} DfE tokens only.",
            responses={
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description=label)
            },
            tags=["reports"],
        )
    )


@_file_schema("PDF", "application/pdf", "The PDF the web serves, made from the frozen snapshot.")
class ReportPdfView(ReportFileView):
    content_type, extension = "application/pdf", "pdf"


@_file_schema(
    "XLSX",
    XLSX,
    "The spreadsheet the web serves (one sheet per section), made from the frozen snapshot.",
)
class ReportXlsxView(ReportFileView):
    content_type, extension = XLSX, "xlsx"
