from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fostering programme tracker administration"

urlpatterns = [
    path("", include("core.urls")),
    path("account/", include("accounts.urls")),
    path("", include("clusters.urls")),
    path("", include("programme.urls")),
    path("timesheets/", include("timesheets.urls")),
    path("pipeline/", include("pipeline.urls")),
    path("insights/", include("insights.urls")),
    path("engagement/", include("engagement.urls")),
    path("reports/", include("reports.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]
