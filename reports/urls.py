from django.urls import path  # noqa: F401 - pages arrive with this area's issue

app_name = "reports"
urlpatterns = []
