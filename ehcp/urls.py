from django.urls import path

from . import plan_date_views, views

app_name = "ehcp"

urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
    path("deadlines/all/", views.deadline_list, name="deadline_list"),
    path("deadlines/all.csv", views.deadline_csv, name="deadline_csv"),
    path("deadlines/<int:pk>/", views.deadline_detail, name="deadline_detail"),
    path("deadline-settings/", views.settings_list, name="settings"),
    path("deadline-settings/<str:rule_id>/", views.setting_edit, name="setting_edit"),
    path("calendar/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/<slug:event>/", views.assessment_event, name="assessment_event"),
    path("pupils/<int:pupil_id>/", views.pupil_ehc, name="pupil_ehc"),
    path("pupils/<int:pupil_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("pupils/<int:pupil_id>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/amend/", views.plan_amend, name="plan_amend"),
    path("plans/<int:pk>/cease/", views.plan_cease, name="plan_cease"),
    path("plans/<int:pk>/issue-date/", plan_date_views.plan_issue_date, name="plan_issue_date"),
    path("plan-versions/<int:pk>/pdf/", views.version_pdf, name="version_pdf"),
    path("plan-versions/<int:pk>/pdf/upload/", views.version_pdf_upload, name="version_pdf_upload"),
    path("plan-versions/<int:pk>/outcomes/new/", views.version_outcome_add, name="version_outcome_add"),
    path("plan-versions/<int:pk>/provision/new/", views.version_provision_add, name="version_provision_add"),
]
