"""Which LAs a user may see or change, and the scopes and periods a funnel is read for."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Q, QuerySet

from accounts.permissions import is_cluster_lead, is_delivery_partner, is_dfe_reader
from clusters.models import Cluster, LocalAuthority, Region
from core.periods import add_months, month_start  # noqa: F401 - callers import them here
from programme.models import financial_year_label, financial_year_of

# The contract's start: no pipeline date may be earlier.
PROGRAMME_START = datetime.date(2023, 6, 1)


def authorities_for_user(user) -> QuerySet:
    """LAs whose pipeline data the user may read in full."""
    if is_delivery_partner(user) or is_dfe_reader(user):
        return LocalAuthority.objects.all()
    if is_cluster_lead(user) and user.cluster_id:
        members = LocalAuthority.objects.filter(
            memberships__cluster_id=user.cluster_id, memberships__left_on__isnull=True
        )
        return _narrowed_to_api_token(user, members)
    return LocalAuthority.objects.none()


def _narrowed_to_api_token(user, authorities: QuerySet) -> QuerySet:
    """An LA's API token acts through a service account with the cluster lead role, so that
    it meets the same rules as a person, but for the token's one LA only (api.ApiToken).
    Part of the same query, so a person's scope costs nothing more to read."""
    token_la = LocalAuthority.objects.filter(api_tokens__account_id=user.pk).values("pk")
    return authorities.filter(Q(pk__in=token_la) | ~Exists(token_la))


def editable_authorities(user) -> QuerySet:
    """LAs whose returns and exports the user may key or upload."""
    if is_delivery_partner(user):
        return LocalAuthority.objects.all()
    if is_cluster_lead(user) and user.cluster_id:
        return authorities_for_user(user)
    return LocalAuthority.objects.none()


@dataclass(frozen=True)
class Scope:
    """A set of LAs a funnel is read for: one LA, a cluster's members, a region, England."""

    kind: str  # "la", "cluster", "region", "england"
    pk: int | None
    label: str

    @property
    def key(self) -> str:
        return self.kind if self.kind == "england" else f"{self.kind}:{self.pk}"

    def authorities(self) -> QuerySet:
        if self.kind == "la":
            return LocalAuthority.objects.filter(pk=self.pk)
        if self.kind == "cluster":
            return LocalAuthority.objects.filter(
                memberships__cluster_id=self.pk, memberships__left_on__isnull=True
            )
        if self.kind == "region":
            return LocalAuthority.objects.filter(region_id=self.pk)
        return LocalAuthority.objects.all()


ENGLAND = Scope("england", None, "England")


def scope_from_key(key: str) -> Scope | None:
    """A Scope from "england", "region:3", "cluster:5" or "la:12"; None if unknown."""
    if key == "england":
        return ENGLAND
    kind, _, pk = key.partition(":")
    models = {"la": LocalAuthority, "cluster": Cluster, "region": Region}
    if kind not in models or not pk.isdigit():
        return None
    obj = models[kind].objects.filter(pk=int(pk)).first()
    return Scope(kind, obj.pk, obj.name) if obj else None


def scope_for(obj) -> Scope:
    kind = {LocalAuthority: "la", Cluster: "cluster", Region: "region"}[type(obj)]
    return Scope(kind, obj.pk, obj.name)


def scopes_for_user(user) -> list[tuple[str, list[Scope]]]:
    """The scopes the user may read in full, grouped for a select box."""
    if is_delivery_partner(user) or is_dfe_reader(user):
        return [
            ("England", [ENGLAND]),
            ("Regions", [scope_for(r) for r in Region.objects.order_by("name")]),
            ("Clusters", [scope_for(c) for c in Cluster.objects.order_by("name")]),
            ("Local authorities", [scope_for(la) for la in LocalAuthority.objects.all()]),
        ]
    if is_cluster_lead(user) and user.cluster_id:
        cluster = Cluster.objects.get(pk=user.cluster_id)
        return [
            ("Your cluster", [scope_for(cluster)]),
            ("Member LAs", [scope_for(la) for la in authorities_for_user(user).order_by("name")]),
        ]
    return []


def may_read_scope(user, scope: Scope) -> bool:
    if is_delivery_partner(user) or is_dfe_reader(user):
        return True
    if not (is_cluster_lead(user) and user.cluster_id):
        return False
    if scope.kind == "cluster":
        return scope.pk == user.cluster_id
    if scope.kind == "la":
        return authorities_for_user(user).filter(pk=scope.pk).exists()
    return False


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) with its label: a month, quarter or FY."""

    kind: str  # "month", "quarter", "fy"
    start: datetime.date
    end: datetime.date
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start:%Y-%m}"

    def year_earlier(self) -> "Period":
        return make_period(self.kind, add_months(self.start, -12))


def make_period(kind: str, start: datetime.date) -> Period:
    start = month_start(start)
    if kind == "month":
        return Period(kind, start, add_months(start, 1), f"{start:%B %Y}")
    if kind == "quarter":
        start = add_months(start, -((start.month - 1) % 3))
        end = add_months(start, 3)
        return Period(kind, start, end, f"{start:%b} to {add_months(end, -1):%b %Y}")
    fy = financial_year_of(start)
    start = datetime.date(fy, 4, 1)
    return Period(
        "fy", start, datetime.date(fy + 1, 4, 1), f"Financial year {financial_year_label(fy)}"
    )


def period_from_key(key: str) -> Period | None:
    kind, _, month = key.partition(":")
    if kind not in ("month", "quarter", "fy"):
        return None
    try:
        start = datetime.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        return None
    return make_period(kind, start)


def periods_until(today: datetime.date) -> list[tuple[str, list[Period]]]:
    """Every month, quarter and FY from the programme's start to today, newest first."""
    months, quarters, years = [], [], []
    day = month_start(PROGRAMME_START)
    while day <= today:
        months.append(make_period("month", day))
        quarter = make_period("quarter", day)
        if quarter not in quarters:
            quarters.append(quarter)
        year = make_period("fy", day)
        if year not in years:
            years.append(year)
        day = add_months(day, 1)
    return [
        ("Financial years", years[::-1]),
        ("Quarters", quarters[::-1]),
        ("Months", months[::-1]),
    ]
