from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("raid/", views.RaidRegisterView.as_view(), name="raid_list"),
    path("raid/heat-map/", views.raid_heat_map, name="raid_heat_map"),
    path("raid/top/", views.raid_top, name="raid_top"),
    path("raid/new/", views.raid_create, name="raid_create"),
    path("raid/<int:pk>/", views.raid_detail, name="raid_detail"),
    path("raid/<int:pk>/change/", views.raid_edit, name="raid_edit"),
    path("raid/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("raid/<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("raid/<int:pk>/escalate/", views.raid_escalate, name="raid_escalate"),
    path("raid/<int:pk>/decision/", views.raid_decision, name="raid_decision"),
    path("raid/<int:pk>/become-issue/", views.raid_become_issue, name="raid_become_issue"),
    path("raid/<int:pk>/close/", views.raid_close, name="raid_close"),
    path("raid/<int:pk>/reopen/", views.raid_reopen, name="raid_reopen"),
    path("learning/", views.LessonListView.as_view(), name="lesson_list"),
    path("learning/new/", views.lesson_create, name="lesson_create"),
    path("learning/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("learning/<int:pk>/change/", views.lesson_edit, name="lesson_edit"),
    path("learning/<int:pk>/publish/", views.lesson_publish, name="lesson_publish"),
    path("learning/<int:pk>/adopt/", views.lesson_adopt, name="lesson_adopt"),
    path("learning/search/", views.search, name="search"),
    path("learning/events/", views.EventListView.as_view(), name="event_list"),
    path("learning/events/new/", views.event_edit, name="event_create"),
    path("learning/events/not-attended/", views.NotAttendedView.as_view(), name="not_attended"),
    path("learning/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("learning/events/<int:pk>/change/", views.event_edit, name="event_edit"),
    path("learning/events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
]
