from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fostering programme tracker administration"

urlpatterns = [
    path("", include("core.urls")),
    path("account/", include("accounts.urls")),
    path("", include("clusters.urls")),
    path("admin/", admin.site.urls),
]
