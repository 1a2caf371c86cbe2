from .views import bids, meetings, reminders, support

app_name = "engagement"
# each part lists its own routes, so the parts grow without touching one shared list
urlpatterns = [
    *bids.urlpatterns,
    *support.urlpatterns,
    *meetings.urlpatterns,
    *reminders.urlpatterns,
]
