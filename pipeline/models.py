"""The recruitment pipeline: stages, reasons and channels as data; monthly returns; case
records imported from LAs' systems, and the batches that brought them in."""

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords


class StageCode(models.TextChoices):
    """The fixed steps of the journey. Stage rows name, order and describe them; a case
    record keeps one date column per step (see PipelineRecord.DATE_FIELDS)."""

    ENQUIRY = "enquiry", "Initial enquiry"
    CONVERSATION = "conversation", "Initial conversation or home visit"
    APPLICATION = "application", "Application"
    ASSESSMENT_1 = "assessment_1", "Assessment stage 1"
    ASSESSMENT_2 = "assessment_2", "Assessment stage 2"
    PANEL = "panel", "Fostering panel"
    APPROVAL = "approval", "Approval"


class LockingDeleteQuerySet(models.QuerySet):
    """delete() locks the rows first (SELECT ... FOR UPDATE), then applies the on_delete
    rules. Case records refer to list entries and batches without a database constraint
    (see PipelineRecord), so the ORM's PROTECT and SET_NULL are what keep them whole: the
    lock makes a delete wait for an import commit that uses the rows (it holds them FOR KEY
    SHARE or FOR UPDATE) and then see that commit's records."""

    def delete(self):
        with transaction.atomic(using=self.db):
            list(self.select_for_update().values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class LockingDeleteModel(models.Model):
    """A model whose deletes lock the row first (see LockingDeleteQuerySet)."""

    objects = LockingDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, using=None, keep_parents=False):
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            list(
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("pk", flat=True)
            )
            return super().delete(using=using, keep_parents=keep_parents)


class _ListItem(LockingDeleteModel):
    """A maintained list entry: a stable code, a label and a position."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True)
    history = HistoricalRecords(inherit=True)

    class Meta(LockingDeleteModel.Meta):
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Stage(_ListItem):
    code = models.SlugField(max_length=40, unique=True, choices=StageCode.choices)

    class Meta(_ListItem.Meta):
        constraints = [models.UniqueConstraint(fields=["order"], name="stage_order_unique")]


class ExitReason(_ListItem):
    pass


class SourceChannel(_ListItem):
    pass


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"


class MonthlyReturn(models.Model):
    """One LA's counts for one month: entries per stage, exits by stage and reason, and
    enquiries by source channel."""

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.PROTECT, related_name="pipeline_returns"
    )
    month = models.DateField(help_text="First day of the month")
    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # the counts as last saved, in words: the return's history shows each change of a count
    # (the counts themselves are rows of their own, replaced on every save)
    counts_recorded = models.TextField("counts", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "local_authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "month"],
                name="one_return_per_la_month",
                violation_error_message="This LA already has a return for that month.",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="return_month_first_day"),
        ]

    def __str__(self):
        return f"{self.local_authority} {self.month:%B %Y}"


class ReturnStageCount(models.Model):
    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="stage_counts"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["monthly_return", "stage"], name="one_count_per_stage"),
            models.CheckConstraint(condition=Q(count__gte=0), name="stage_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.stage}: {self.count}"


class ReturnExit(models.Model):
    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="exits"
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    reason = models.ForeignKey(ExitReason, on_delete=models.PROTECT, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monthly_return", "stage", "reason"], name="one_exit_count_per_reason"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="exit_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.stage}, {self.reason}: {self.count}"


class ReturnChannelCount(models.Model):
    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.CASCADE, related_name="channel_counts"
    )
    channel = models.ForeignKey(SourceChannel, on_delete=models.PROTECT, related_name="+")
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["monthly_return", "channel"], name="one_count_per_channel"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="channel_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.channel}: {self.count}"


class FileType(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    CP1252 = "cp1252", "Windows-1252"
    LATIN1 = "latin-1", "Latin-1 (ISO-8859-1)"


class ImportProfile(models.Model):
    """How one case-management system's export maps to the tracker's fields.

    ``column_map`` maps tracker field -> source column heading; ``stage_codes``,
    ``reason_codes``, ``channel_codes`` and ``outcome_codes`` map the system's codes to
    the tracker's codes.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    file_type = models.CharField(max_length=10, choices=FileType.choices, default=FileType.CSV)
    encoding = models.CharField(max_length=20, choices=Encoding.choices, default=Encoding.UTF8)
    delimiter = models.CharField(max_length=1, default=",", blank=True)
    date_format = models.CharField(
        max_length=20, default="%Y-%m-%d", help_text="strftime codes, e.g. %d/%m/%Y"
    )
    column_map = models.JSONField(default=dict)
    stage_codes = models.JSONField(default=dict, blank=True)
    reason_codes = models.JSONField(default=dict, blank=True)
    channel_codes = models.JSONField(default=dict, blank=True)
    outcome_codes = models.JSONField(default=dict, blank=True)
    header_row = models.PositiveSmallIntegerField(
        default=1, help_text="The line or row that holds the column headings"
    )
    local_authority = models.ForeignKey(
        "clusters.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The council whose system this is; empty if the export has an LA column",
    )
    # the headings of the sample the profile was made from (no values): the column
    # drop-downs offer them when the profile is edited without a new sample
    headings = models.JSONField(default=list, blank=True)
    # {field: [export codes]} seen in the samples the profile was made from (codes only):
    # the codes page lists them to be mapped
    seen_codes = models.JSONField(default=dict, blank=True)
    # moved on by every save: a batch records the version it was checked with
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    # what a batch keeps of its profile when it is checked (the meaning of its rows)
    SETTINGS = [
        "file_type",
        "encoding",
        "delimiter",
        "date_format",
        "header_row",
        "column_map",
        "stage_codes",
        "reason_codes",
        "channel_codes",
        "outcome_codes",
        "local_authority_id",
        "version",
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(header_row__gte=1), name="profile_header_row_positive"
            )
        ]

    def __str__(self):
        return self.name

    def settings_snapshot(self) -> dict:
        return {name: getattr(self, name) for name in self.SETTINGS}

    @classmethod
    def from_snapshot(cls, snapshot: dict, **extra) -> "ImportProfile":
        """An unsaved profile as it was when a batch was checked."""
        return cls(**{k: v for k, v in snapshot.items() if k in cls.SETTINGS}, **extra)


class ProfileSample(models.Model):
    """What a programme manager's sample export showed, while a profile is made from it:
    its format, headings, per column the date formats that read every value and the distinct
    codes, and its first rows with every value that is not a code shown only by its shape
    ("Xxxx 99"). Never the file, never names or dates of birth; deleted once the profile is
    saved, and by the sweep after a day."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    profile = models.ForeignKey(
        ImportProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10, choices=FileType.choices)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    header_row = models.PositiveSmallIntegerField(default=1)
    rows = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list)
    preview = models.JSONField(default=list)

    def __str__(self):
        return self.filename

    def headings(self) -> list[str]:
        return [c["heading"] for c in self.columns]

    def column(self, heading: str) -> dict | None:
        folded = str(heading).strip().casefold()
        return next((c for c in self.columns if c["heading"].casefold() == folded), None)


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    VALIDATING = "validating", "Validating"
    VALIDATED = "validated", "Ready to commit"
    FAILED = "failed", "Has errors"
    COMMITTED = "committed", "Committed"


class ImportBatch(LockingDeleteModel):
    """One uploaded export: who, when, its checksum, its validation result and counts."""

    profile = models.ForeignKey(ImportProfile, on_delete=models.PROTECT, related_name="batches")
    local_authority = models.ForeignKey(
        "clusters.LocalAuthority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For exports with no LA column",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    # The raw file lives only until validation has read it (it may hold names); the
    # staged file holds the parsed rows with identities already hashed.
    upload = models.FileField(upload_to="pipeline/uploads/", blank=True)
    staged = models.FileField(upload_to="pipeline/staged/", blank=True)
    status = models.CharField(
        max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # the validating worker's heartbeat (moved on with the progress) and how many runs have
    # claimed the batch: the sweep re-queues work whose worker was lost, then gives up
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # the profile as it was read when the batch was checked (ImportProfile.SETTINGS)
    profile_version = models.PositiveIntegerField(null=True, blank=True)
    profile_settings = models.JSONField(default=dict, blank=True)
    # [{"id", "name", "rows"}] per LA in the file, and {field: n} stored values the
    # commit would clear (it needs an explicit yes)
    authority_counts = models.JSONField(default=list, blank=True)
    clearing = models.JSONField(default=dict, blank=True)
    clearing_confirmed = models.BooleanField(default=False)
    # an earlier committed upload of the same bytes, found at upload
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # a failed batch keeps its mapped cells, identities already hashed, so that it can be
    # checked again once its profile changes (names never reach it)
    kept_cells = models.FileField(upload_to="pipeline/kept/", blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="batch_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="committed") | Q(error_count=0),
                name="batch_committed_only_without_errors",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class CodeRequest(models.Model):
    """A cluster lead's request that a programme manager add a code to a profile's code
    map (an upload met a code the profile does not know). Settled when the code is mapped."""

    FIELDS = {
        "source": "source channel",
        "outcome": "outcome",
        "exit_stage": "exit stage",
        "exit_reason": "exit reason",
    }

    profile = models.ForeignKey(ImportProfile, on_delete=models.CASCADE, related_name="requests")
    field = models.CharField(max_length=20, choices=list(FIELDS.items()))
    code = models.CharField(max_length=120)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "field", "code"],
                condition=Q(settled_at__isnull=True),
                name="one_open_request_per_code",
            )
        ]

    def __str__(self):
        return f"{self.FIELDS.get(self.field, self.field)} code '{self.code}' for {self.profile}"


class Outcome(models.TextChoices):
    OPEN = "open", "In progress"
    APPROVED = "approved", "Approved"
    EXITED = "exited", "Left the process"


class PipelineRecord(models.Model):
    """One prospective carer's journey with one LA: no names, only the LA's reference,
    dates per stage and a keyed hash of their identity for counting people once."""

    DATE_FIELDS = {
        StageCode.ENQUIRY: "enquiry_date",
        StageCode.CONVERSATION: "conversation_date",
        StageCode.APPLICATION: "application_date",
        StageCode.ASSESSMENT_1: "assessment_1_date",
        StageCode.ASSESSMENT_2: "assessment_2_date",
        StageCode.PANEL: "panel_date",
        StageCode.APPROVAL: "approval_date",
    }

    # Few indexes on purpose: each one slows the bulk insert of an import. The unique
    # (LA, reference) key and the enquiry-date indexes serve every funnel read.
    local_authority = models.ForeignKey(
        "clusters.LocalAuthority",
        on_delete=models.PROTECT,
        related_name="pipeline_records",
        db_index=False,
    )
    la_reference = models.CharField("LA reference", max_length=60)
    enquiry_date = models.DateField()
    conversation_date = models.DateField(null=True, blank=True)
    application_date = models.DateField(null=True, blank=True)
    assessment_1_date = models.DateField(null=True, blank=True)
    assessment_2_date = models.DateField(null=True, blank=True)
    panel_date = models.DateField(null=True, blank=True)
    approval_date = models.DateField(null=True, blank=True)
    # The lists and the batch are referenced WITHOUT a database constraint
    # (db_constraint=False); the LA keeps its constraint. PostgreSQL checks a foreign key
    # once per written row, at commit: for these four that was ~2.5 s of a 100,000-row
    # import's commit, a third of it (docs/pipeline.md, "Import throughput"). The rules
    # still hold without it:
    # - writes: an import maps codes only to existing entries, and its commit checks in one
    #   query per list that every id it writes still exists, holding those entries FOR KEY
    #   SHARE until it ends (services.records._check_lists); the batch it writes is the one
    #   it holds FOR UPDATE;
    # - deletes: on_delete PROTECT (lists) and SET_NULL (batch) are applied by the ORM
    #   whether or not there is a constraint, and a delete locks the rows first
    #   (LockingDeleteModel), so it waits for a commit using them and then sees its records.
    # Nothing writes these tables with raw SQL other than the import. Tested in
    # tests/pipeline/test_integrity.py.
    source_channel = models.ForeignKey(
        SourceChannel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    exit_stage = models.ForeignKey(
        Stage,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    exit_reason = models.ForeignKey(
        ExitReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    exit_date = models.DateField(null=True, blank=True)
    person_hash = models.CharField(max_length=64, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["local_authority", "la_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "la_reference"], name="one_record_per_la_reference"
            ),
            models.CheckConstraint(
                condition=(
                    (
                        Q(conversation_date__isnull=True)
                        | Q(conversation_date__gte=F("enquiry_date"))
                    )
                    & (
                        Q(application_date__isnull=True)
                        | Q(application_date__gte=F("enquiry_date"))
                    )
                    & (
                        Q(approval_date__isnull=True)
                        | (
                            Q(application_date__isnull=False)
                            & Q(approval_date__gte=F("application_date"))
                        )
                    )
                ),
                name="record_stage_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="exited") | Q(exit_stage__isnull=False),
                name="record_exit_has_stage",
            ),
        ]
        # Only what the funnel's WHERE clauses use (pg_stat_user_indexes on the national
        # data set): it counts each later stage with FILTER over the scope's records, so
        # indexes on application or approval dates were never read, only written.
        indexes = [
            models.Index(fields=["local_authority", "enquiry_date"], name="record_la_enquiry"),
            models.Index(fields=["enquiry_date"], name="record_enquiry"),
        ]

    def __str__(self):
        return f"{self.local_authority} {self.la_reference}"


# Summaries of the case records ----------------------------------------------------------
# A cache of the truth, not a second truth: pipeline.facts rebuilds an LA's rows from its
# records in the same transaction as any write of those records (the import commit), so a
# funnel sums a few rows per LA and month instead of every record. `manage.py rebuild_facts`
# rebuilds them all and reports any difference. Returns need none: a return is already one
# LA's counts for one month.


class RecordMonth(models.Model):
    """One LA's records in one month: how many entered each stage that month (by the
    stage's date), and, of those who enquired that month, how many carry an identity hash,
    how many have reached each later stage by now and how many have left (the cohort)."""

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    entered_enquiry = models.PositiveIntegerField(default=0)
    entered_conversation = models.PositiveIntegerField(default=0)
    entered_application = models.PositiveIntegerField(default=0)
    entered_assessment_1 = models.PositiveIntegerField(default=0)
    entered_assessment_2 = models.PositiveIntegerField(default=0)
    entered_panel = models.PositiveIntegerField(default=0)
    entered_approval = models.PositiveIntegerField(default=0)
    hashed = models.PositiveIntegerField(default=0)
    unhashed = models.PositiveIntegerField(default=0)
    reached_conversation = models.PositiveIntegerField(default=0)
    reached_application = models.PositiveIntegerField(default=0)
    reached_assessment_1 = models.PositiveIntegerField(default=0)
    reached_assessment_2 = models.PositiveIntegerField(default=0)
    reached_panel = models.PositiveIntegerField(default=0)
    reached_approval = models.PositiveIntegerField(default=0)
    exited = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "month"], name="one_fact_per_la_month"
            )
        ]

    def __str__(self):
        return f"{self.local_authority_id} {self.month:%Y-%m}"


class RecordExitMonth(models.Model):
    """Records that left the process in a month, by the stage they left at and why."""

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    stage = models.ForeignKey(
        Stage, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    reason = models.ForeignKey(
        ExitReason,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    n = models.PositiveIntegerField()

    class Meta:
        # one row per key, enforced (an import adds its change to the row with INSERT ... ON
        # CONFLICT); the key starts with (LA, month), which is how the funnels read it
        constraints = [
            models.UniqueConstraint(
                F("local_authority"),
                F("month"),
                F("stage"),
                Coalesce(F("reason"), -1),
                name="one_exit_fact_per_key",
            )
        ]

    def __str__(self):
        return f"{self.local_authority_id} {self.month:%Y-%m} exit at {self.stage_id}: {self.n}"


class RecordChannelMonth(models.Model):
    """Enquiries in a month by source channel, and how many of them have applied by now."""

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    channel = models.ForeignKey(
        SourceChannel,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    enquiries = models.PositiveIntegerField()
    applied = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("local_authority"),
                F("month"),
                Coalesce(F("channel"), -1),
                name="one_channel_fact_per_key",
            )
        ]

    def __str__(self):
        return f"{self.local_authority_id} {self.month:%Y-%m} channel {self.channel_id}: {self.enquiries}"


class RecordDuration(models.Model):
    """How many records took ``days`` from one stage to the next, by the month the later
    stage was reached: the medians are read from these counts, exactly."""

    ENQUIRY_TO_APPLICATION = "enquiry_to_application"
    APPLICATION_TO_APPROVAL = "application_to_approval"
    PAIRS = {
        ENQUIRY_TO_APPLICATION: ("enquiry_date", "application_date"),
        APPLICATION_TO_APPROVAL: ("application_date", "approval_date"),
    }

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    measure = models.CharField(max_length=30, choices=[(k, k) for k in PAIRS])
    days = models.IntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "month", "measure", "days"],
                name="one_duration_fact_per_key",
            )
        ]

    def __str__(self):
        return f"{self.local_authority_id} {self.month:%Y-%m} {self.measure} {self.days} days: {self.n}"


class SummaryVersion(models.Model):
    """A token that changes, in the same transaction, whenever case records change: what is
    computed from records and kept in the shared cache (people counted once across LAs) is
    keyed by it, so a figure kept is never one of older records."""

    name = models.CharField(max_length=20, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.name}: {self.token}"


class PublishedLoad(models.Model):
    """One file of published "Fostering in England" figures loaded by a programme manager:
    where it came from, its checksum, who loaded it and what it did."""

    source = models.CharField(
        max_length=300, help_text="The publication, e.g. Ofsted, Fostering in England 2024"
    )
    filename = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]

    def __str__(self):
        return f"{self.filename} ({self.source})"


class PublishedFigure(models.Model):
    """An LA's published figures for a year ending 31 March, for comparing councils in and
    outside hubs (issue 19). Never counted into a cluster's own funnel: the funnels read the
    records and returns only. A suppressed value is empty, and named in ``suppressed``."""

    local_authority = models.ForeignKey(
        "clusters.LocalAuthority", on_delete=models.PROTECT, related_name="published_figures"
    )
    year_ending = models.DateField(help_text="31 March of the year the figures cover")
    initial_enquiries = models.PositiveIntegerField(null=True, blank=True)
    applications = models.PositiveIntegerField(null=True, blank=True)
    approvals = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.JSONField(default=list, blank=True)
    load = models.ForeignKey(PublishedLoad, on_delete=models.PROTECT, related_name="figures")
    history = HistoricalRecords()

    class Meta:
        ordering = ["local_authority__name", "year_ending"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "year_ending"], name="one_published_row_per_la_year"
            ),
            models.CheckConstraint(
                condition=Q(year_ending__month=3, year_ending__day=31),
                name="published_year_ends_31_march",
            ),
        ]

    def __str__(self):
        return f"{self.local_authority}, year ending {self.year_ending:%-d %B %Y}"

    def measures(self) -> list[tuple]:
        return [
            (self.initial_enquiries, "initial_enquiries"),
            (self.applications, "applications"),
            (self.approvals, "approvals"),
        ]
