from django.urls import path

from . import invitation_views, onboarding_views, people_views, views

app_name = "trusts"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("access-log/", views.audit_log, name="audit"),
    path("term-dates/", views.calendar, name="calendar"),
    path("term-dates/<int:school_id>/", views.calendar_edit, name="calendar_edit"),
    path("term-dates/<int:school_id>/<int:year>/", views.calendar_edit, name="calendar_year"),
    path("privacy/", views.privacy, name="privacy"),
    path("people/", people_views.people_list, name="people"),
    path("people/invite/", people_views.person_invite, name="person_invite"),
    path("people/import/", people_views.people_import, name="people_import"),
    path("people/single-sign-on/", people_views.single_sign_on_settings, name="single_sign_on_settings"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/deactivate/", people_views.person_deactivate, name="person_deactivate"),
    path("people/roles/<int:pk>/end/", people_views.membership_end, name="membership_end"),
    path("people/invitations/<int:pk>/withdraw/", people_views.invitation_withdraw, name="invitation_withdraw"),
    path("people/invitations/<int:pk>/resend/", people_views.invitation_resend, name="invitation_resend"),
    path("accounts/invitation/<str:token>/", invitation_views.invitation, name="invitation"),
    path("accounts/sso/", invitation_views.single_sign_on, name="single_sign_on"),
    path("platform/onboard/", onboarding_views.onboard, name="platform_onboard"),
]
