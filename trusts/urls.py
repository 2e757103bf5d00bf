from django.urls import path

from . import invitation_views, views

app_name = "trusts"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("access-log/", views.audit_log, name="audit"),
    path("term-dates/", views.calendar, name="calendar"),
    path("term-dates/<int:school_id>/", views.calendar_edit, name="calendar_edit"),
    path("term-dates/<int:school_id>/<int:year>/", views.calendar_edit, name="calendar_year"),
    path("privacy/", views.privacy, name="privacy"),
    path("accounts/invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("accounts/sso/", invitation_views.single_sign_on, name="single_sign_on"),
]
