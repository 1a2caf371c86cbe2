from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.history import history_rows
from core.views import FilteredTableView, form_view
from programme.selectors import milestones_for_user

from . import permissions, services
from .filters import AuthorityFilter, ClusterFilter, ProgressUpdateFilter
from .forms import (
    ConstellationForm,
    ContactForm,
    EndMembershipForm,
    HarmonisationForm,
    HubForm,
    MemberForm,
    ProgressUpdateForm,
    StageForm,
)
from .models import (
    ClusterMembership,
    Constellation,
    Harmonisation,
    HarmonisationItem,
    Hub,
    LocalAuthority,
    ProgressUpdate,
)
from .selectors import (
    authorities_with_cluster,
    clusters_for_user,
    harmonisation_matrix,
    members_of,
)
from .tables import AuthorityTable, ClusterTable, ProgressUpdateTable


class ClusterListView(FilteredTableView):
    table_class = ClusterTable
    filterset_class = ClusterFilter
    page_title = "Clusters"
    export_name = "clusters"

    def get_queryset(self):
        return clusters_for_user(self.request.user).with_overview()


class AuthorityListView(FilteredTableView):
    table_class = AuthorityTable
    filterset_class = AuthorityFilter
    page_title = "Local authorities"
    export_name = "local-authorities"

    def get_queryset(self):
        return authorities_with_cluster()


def _cluster(request, slug, *, edit=False, predicate=None):
    """The cluster if the user may see it (else 404) and, for changes, may change it (else 403)."""
    cluster = get_object_or_404(clusters_for_user(request.user).with_overview(), slug=slug)
    check = predicate or (permissions.can_edit_cluster if edit else None)
    if check is not None and not check(request.user, cluster):
        raise PermissionDenied
    return cluster


def cluster_detail(request, slug):
    cluster = _cluster(request, slug)
    user = request.user
    members = list(members_of(cluster))
    hub = Hub.objects.filter(cluster=cluster).first()
    updates = list(cluster.updates.select_related("author").order_by("-month")[:12])
    recent_harmonisation = (
        Harmonisation.history.filter(cluster_id=cluster.pk)
        .select_related("history_user", "local_authority")
        .order_by("-history_date")[:10]
    )
    return render(
        request,
        "clusters/cluster_detail.html",
        {
            "cluster": cluster,
            "hub": hub,
            "contacts": cluster.contacts.all(),
            "members": members,
            "matrix": harmonisation_matrix(cluster, members),
            "milestones": milestones_for_user(user).filter(cluster=cluster)[:10],
            "latest_update": updates[0] if updates else None,
            "updates": updates,
            "constellations": Constellation.objects.filter(
                local_authority__in=[m.local_authority for m in members]
            ).select_related("local_authority"),
            "stage_changes": cluster.stage_changes.select_related("recorded_by"),
            "recent_harmonisation": recent_harmonisation,
            "history": history_rows(cluster, limit=10),
            "can_edit": permissions.can_edit_cluster(user, cluster),
            "can_manage": permissions.can_manage_membership(user),
            "can_change_stage": permissions.can_change_stage(user),
            "can_see_grant": permissions.can_see_grant(user, cluster),
        },
    )


def hub_edit(request, slug):
    cluster = _cluster(request, slug, edit=True)
    hub = Hub.objects.filter(cluster=cluster).first() or Hub(cluster=cluster)
    form = HubForm(request.POST or None, instance=hub)
    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: regional hub",
        on_valid=lambda f: services.save_hub(hub=f.instance),
        success_url=reverse("clusters:cluster_detail", args=[slug]),
        success_message="Hub saved.",
    )


def harmonisation_edit(request, slug, gss_code, item):
    cluster = _cluster(request, slug, edit=True)
    la = get_object_or_404(
        LocalAuthority,
        gss_code=gss_code,
        memberships__cluster=cluster,
        memberships__left_on__isnull=True,
    )
    if item not in HarmonisationItem.values:
        raise PermissionDenied
    cell = Harmonisation.objects.filter(cluster=cluster, local_authority=la, item=item).first()
    form = HarmonisationForm(
        request.POST or None,
        initial={
            "status": cell.status if cell else "not_started",
            "note": cell.note if cell else "",
        },
    )
    return form_view(
        request,
        form=form,
        title=f"{la.name}: {HarmonisationItem(item).label}",
        on_valid=lambda f: services.set_harmonisation(
            cluster=cluster, local_authority=la, item=item, by=request.user, **f.cleaned_data
        ),
        success_url=reverse("clusters:cluster_detail", args=[slug]) + "#harmonisation",
        success_message=f"{la.name}: {HarmonisationItem(item).label} updated.",
        context={
            "caption": cluster.name,
            "history": history_rows(cell, limit=10) if cell else [],
        },
        template="core/form_with_history.html",
    )


def progress_list(request, slug):
    cluster = _cluster(request, slug)
    return render(
        request,
        "clusters/progress_list.html",
        {
            "cluster": cluster,
            "updates": cluster.updates.select_related("author").order_by("-month"),
            "can_edit": permissions.can_edit_cluster(request.user, cluster),
        },
    )


def progress_edit(request, slug, pk=None):
    cluster = _cluster(request, slug, edit=True)
    update = (
        get_object_or_404(ProgressUpdate, pk=pk, cluster=cluster)
        if pk
        else ProgressUpdate(cluster=cluster, author=request.user)
    )
    form = ProgressUpdateForm(request.POST or None, instance=update)
    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: monthly progress update",
        on_valid=lambda f: services.save_progress_update(update=f.instance),
        success_url=reverse("clusters:progress_list", args=[slug]),
        success_message="Progress update saved.",
        template="core/form_with_history.html",
        context={"history": history_rows(update, limit=10) if update.pk else None},
    )


class ProgressUpdateListView(FilteredTableView):
    """Every visible cluster's monthly updates: the rating trend across the programme."""

    table_class = ProgressUpdateTable
    filterset_class = ProgressUpdateFilter
    page_title = "Progress updates"
    export_name = "progress-updates"

    def get_queryset(self):
        return ProgressUpdate.objects.filter(
            cluster__in=clusters_for_user(self.request.user)
        ).select_related("cluster", "author")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs


def stage_change(request, slug):
    cluster = _cluster(request, slug, predicate=lambda user, c: permissions.can_change_stage(user))
    form = StageForm(request.POST or None, initial={"stage": cluster.stage})
    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: change stage",
        on_valid=lambda f: services.change_stage(
            cluster=cluster, by=request.user, **f.cleaned_data
        ),
        success_url=reverse("clusters:cluster_detail", args=[slug]),
        success_message="Stage changed.",
    )


def member_add(request, slug):
    cluster = _cluster(
        request, slug, predicate=lambda user, c: permissions.can_manage_membership(user)
    )
    form = MemberForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: add a member LA",
        on_valid=lambda f: services.add_member(cluster=cluster, **f.cleaned_data),
        success_url=reverse("clusters:cluster_detail", args=[slug]),
        success_message="Member added.",
    )


def member_end(request, slug, pk):
    cluster = _cluster(
        request, slug, predicate=lambda user, c: permissions.can_manage_membership(user)
    )
    membership = get_object_or_404(ClusterMembership, pk=pk, cluster=cluster, left_on__isnull=True)
    form = EndMembershipForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"Record that {membership.local_authority} left {cluster.name}",
        on_valid=lambda f: services.end_membership(membership=membership, **f.cleaned_data),
        success_url=reverse("clusters:cluster_detail", args=[slug]),
        success_message=f"{membership.local_authority} has left the cluster.",
        context={
            "warning": "The LA's harmonisation stays in the history but no longer counts "
            "for this cluster.",
            "submit_label": "Record that it left",
        },
    )


def constellation_edit(request, slug, pk=None):
    cluster = _cluster(request, slug, edit=True)
    authorities = LocalAuthority.objects.filter(
        memberships__cluster=cluster, memberships__left_on__isnull=True
    ).order_by("name")
    constellation = (
        get_object_or_404(Constellation, pk=pk, local_authority__in=authorities)
        if pk
        else Constellation()
    )
    form = ConstellationForm(request.POST or None, instance=constellation, authorities=authorities)

    def save(f):
        services.save_constellation(constellation=f.instance)
        if f.instance.size_warning:
            messages.warning(request, f"Saved, but note: {f.instance.size_warning}")

    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: Mockingbird constellation",
        on_valid=save,
        success_url=reverse("clusters:cluster_detail", args=[slug]) + "#mockingbird",
        success_message="Constellation saved.",
    )


def contact_add(request, slug):
    cluster = _cluster(request, slug, edit=True)
    form = ContactForm(request.POST or None, instance=None)
    form.instance.cluster = cluster
    return form_view(
        request,
        form=form,
        title=f"{cluster.name}: add a contact",
        on_valid=lambda f: f.save(),
        success_url=reverse("clusters:cluster_detail", args=[slug]),
        success_message="Contact added.",
    )
