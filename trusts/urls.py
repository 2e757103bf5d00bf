from django.urls import path

from .views import access_log, invitations, notifications, onboarding, people, privacy, schools, term_dates

app_name = "trusts"

urlpatterns = [
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path("access-log/", access_log.audit_log, name="audit"),
    path("term-dates/", term_dates.calendar, name="calendar"),
    path("term-dates/<int:school_id>/", term_dates.calendar_edit, name="calendar_edit"),
    path("term-dates/<int:school_id>/<int:year>/", term_dates.calendar_edit, name="calendar_year"),
    path("schools/", schools.school_list, name="schools"),
    path("schools/<int:pk>/phase/", schools.school_phase, name="school_phase"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/single-sign-on/", people.single_sign_on_settings, name="single_sign_on_settings"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/roles/<int:pk>/end/", people.membership_end, name="membership_end"),
    path("people/invitations/<int:pk>/withdraw/", people.invitation_withdraw, name="invitation_withdraw"),
    path("people/invitations/<int:pk>/resend/", people.invitation_resend, name="invitation_resend"),
    path("accounts/invitation/<str:token>/", invitations.invitation, name="invitation"),
    path("accounts/sso/", invitations.single_sign_on, name="single_sign_on"),
    path("platform/onboard/", onboarding.onboard, name="platform_onboard"),
]
