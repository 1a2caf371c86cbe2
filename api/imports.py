"""Case-management exports through the API: the same background validation and the same
commit as the web upload (pipeline.services.records), polled until it is ready."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from pipeline import selectors, services
from pipeline.models import BatchStatus, ImportProfile

from .errors import refusal
from .parsers import LimitedJSONParser, LimitedMultiPartParser
from .permissions import IsLaToken, require_acts_for
from .query import read_query
from .serializers import (
    AuthorityRefSerializer,
    StrictSerializer,
    authority_ref,
    find_authority,
    no_body,
)
from .views import LoggedAPIView, LoggedListView, account


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportProfile
        fields = [
            "id",
            "name",
            "description",
            "file_type",
            "encoding",
            "delimiter",
            "date_format",
            "header_row",
            "column_map",
            "local_authority",
            "version",
        ]

    local_authority = serializers.SerializerMethodField(
        help_text="The council whose system this is (its files need no LA), or null when the "
        "export has an LA column"
    )

    def get_local_authority(self, profile) -> dict | None:
        return authority_ref(profile.local_authority)


@extend_schema_view(
    get=extend_schema(
        operation_id="import_profiles_list",
        summary="List the import profiles",
        description="How each case-management system's export maps to the tracker: give "
        "the profile's id when uploading. Programme managers add profiles on the web.",
        tags=["imports"],
    )
)
class ProfileListView(LoggedListView):
    permission_classes = [IsLaToken]
    serializer_class = ProfileSerializer

    def get_queryset(self):
        read_query(self.request, StrictSerializer, allowed=("page",))
        return ImportProfile.objects.select_related("local_authority").order_by("name")


class UploadSerializer(StrictSerializer):
    profile = serializers.IntegerField(help_text="The import profile's id")
    file = serializers.FileField(help_text="The export, as the profile describes it")
    local_authority = serializers.CharField(
        required=False,
        help_text="GSS or DfE code; the token's LA if left out (the only one it may send)",
    )


class BatchErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="The file's line (row) number")
    column = serializers.CharField(allow_blank=True, help_text="The file's column heading")
    message = serializers.CharField()


class BatchProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BatchAuthoritySerializer(serializers.Serializer):
    name = serializers.CharField()
    rows = serializers.IntegerField()
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    stored = serializers.IntegerField(help_text="Records the tracker already holds for the LA")
    suspect = serializers.BooleanField(
        help_text="None of the file's references matches a record already held for the LA, "
        "though it holds many: check the file is this LA's"
    )


class CommitSerializer(StrictSerializer):
    clear_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Needed when the upload's `clearing` is not empty: yes, clear those stored "
        "values",
    )


class BatchLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    commit = serializers.URLField()


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=BatchStatus.values,
        help_text="uploaded -> validating -> validated (ready to commit) or failed (has "
        "errors, commits nothing) -> committed",
    )
    progress = serializers.IntegerField(help_text="Per cent of the validation done")
    profile = BatchProfileSerializer()
    local_authority = AuthorityRefSerializer(allow_null=True)
    filename = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)
    total_rows = serializers.IntegerField()
    new = serializers.IntegerField(help_text="Records the commit adds (or added)")
    changed = serializers.IntegerField(help_text="Records the commit updates (or updated)")
    unchanged = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = BatchErrorSerializer(many=True, help_text="Every bad row: line, column, reason")
    profile_version = serializers.IntegerField(
        allow_null=True, help_text="The profile's version the upload was checked with"
    )
    authorities = BatchAuthoritySerializer(many=True, help_text="Per LA in the file")
    clearing = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Stored values the commit would clear, per field: commit with "
        "`clear_confirmed` to allow it",
    )
    links = BatchLinksSerializer()


def represent(batch, request) -> dict:
    return {
        "id": batch.pk,
        "status": batch.status,
        "progress": batch.progress,
        "profile": {"id": batch.profile_id, "name": batch.profile.name},
        "local_authority": authority_ref(batch.local_authority),
        "filename": batch.filename,
        "size": batch.size,
        "sha256": batch.sha256,
        "uploaded_at": batch.uploaded_at,
        "validated_at": batch.validated_at,
        "committed_at": batch.committed_at,
        "total_rows": batch.total_rows,
        "new": batch.new_count,
        "changed": batch.changed_count,
        "unchanged": batch.unchanged_count,
        "error_count": batch.error_count,
        "errors": [
            {"line": e.get("line"), "column": e.get("column") or "", "message": e["message"]}
            for e in batch.errors
        ],
        "profile_version": batch.profile_version,
        "authorities": [
            {k: entry.get(k) for k in ("name", "rows", "new", "changed", "stored", "suspect")}
            for entry in batch.authority_counts
        ],
        "clearing": batch.clearing,
        "links": {
            "self": reverse("api:import_detail", args=[batch.pk], request=request),
            "commit": reverse("api:import_commit", args=[batch.pk], request=request),
        },
    }


def batches_in_scope(request):
    """The token's own uploads, through the pipeline's own scope for its account."""
    return selectors.batches_for_user(account(request)).order_by("-uploaded_at", "-pk")


def _reload(request, batch):
    return batches_in_scope(request).get(pk=batch.pk)


@extend_schema_view(
    get=extend_schema(
        operation_id="imports_list",
        summary="List this token's uploads",
        description="The exports uploaded with this token, newest first, 50 a page.",
        tags=["imports"],
    )
)
class ImportListView(LoggedListView):
    permission_classes = [IsLaToken]
    parser_classes = [LimitedMultiPartParser]
    serializer_class = BatchSerializer
    represent = staticmethod(represent)

    def get_queryset(self):
        read_query(self.request, StrictSerializer, allowed=("page",))
        return batches_in_scope(self.request)

    @extend_schema(
        operation_id="imports_create",
        summary="Upload a case-management export",
        description="Stores the file and validates it in the background, as the web upload "
        "does (same checks, same messages). Answers 202 at once: poll the import's `self` "
        "link until its status is `validated` (then commit it) or `failed` (read `errors`: "
        "each bad row's line, column and reason; nothing is saved). Rows for another LA are "
        "errors. A file larger than the upload limit: 413.",
        request={"multipart/form-data": UploadSerializer},
        responses={202: BatchSerializer},
        tags=["imports"],
    )
    def post(self, request):
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = request.auth
        code = body.validated_data.get("local_authority")
        la = token.local_authority if code is None else find_authority(code)
        if la is None:
            raise serializers.ValidationError({"local_authority": [f"Unknown LA '{code}'."]})
        require_acts_for(token, la, field="local_authority")
        profile = ImportProfile.objects.filter(pk=body.validated_data["profile"]).first()
        if profile is None:
            raise serializers.ValidationError(
                {"profile": [f"There is no import profile {body.validated_data['profile']}."]}
            )
        try:
            batch = services.create_batch(
                profile=profile,
                upload=body.validated_data["file"],
                user=account(request),
                local_authority=la,
            )
        except ValidationError as error:
            raise refusal(error) from None
        batch = _reload(request, batch)
        return Response(
            represent(batch, request),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api:import_detail", args=[batch.pk], request=request)},
        )


class ImportDetailView(LoggedAPIView):
    permission_classes = [IsLaToken]

    @extend_schema(
        operation_id="imports_read",
        summary="Poll an upload",
        description="The upload's status, validation progress, counts of new, changed and "
        "unchanged records, and every bad row. Another token's upload: 404.",
        responses=BatchSerializer,
        tags=["imports"],
    )
    def get(self, request, pk):
        return Response(represent(get_object_or_404(batches_in_scope(request), pk=pk), request))


class ImportCommitView(LoggedAPIView):
    permission_classes = [IsLaToken]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="imports_commit",
        summary="Commit a validated upload",
        description="Writes the validated records in one transaction (new ones added, "
        "changed ones updated, keyed on LA and LA reference). Takes no body (or `{}`), or "
        '`{"clear_confirmed": true}` when the upload would clear stored values (its '
        "`clearing`; without it: 409). Committing again changes nothing. An upload still "
        "validating, or with errors: 409, with its bad rows in `details`.",
        request=CommitSerializer,
        responses=BatchSerializer,
        tags=["imports"],
    )
    def post(self, request, pk):
        batch = get_object_or_404(batches_in_scope(request), pk=pk)
        body = CommitSerializer(data=no_body(request))
        body.is_valid(raise_exception=True)
        try:
            batch = services.commit_batch(
                batch=batch,
                user=account(request),
                clear_confirmed=body.validated_data["clear_confirmed"],
            )
        except ValidationError as error:
            rows = [
                {"field": e.get("column") or None, "row": e.get("line"), "message": e["message"]}
                for e in batch.errors
            ]
            raise refusal(error, extra=rows) from None
        return Response(represent(_reload(request, batch), request))
