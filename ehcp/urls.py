from django.urls import path

from .views import assessments, consultations, deadlines, plan_dates, plans, wording

app_name = "ehcp"

urlpatterns = [
    path("deadlines/", deadlines.deadlines, name="deadlines"),
    path("deadlines/all/", deadlines.deadline_list, name="deadline_list"),
    path("deadlines/all.csv", deadlines.deadline_csv, name="deadline_csv"),
    path("deadlines/<int:pk>/", deadlines.deadline_detail, name="deadline_detail"),
    path("deadline-settings/", deadlines.settings_list, name="settings"),
    path("deadline-settings/<str:rule_id>/", deadlines.setting_edit, name="setting_edit"),
    path("calendar/", deadlines.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/<str:token>.ics", deadlines.calendar_feed, name="calendar_feed"),
    path("consultations/", consultations.consultation_list, name="consultations"),
    path("consultations/new/", consultations.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", consultations.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/draft/", consultations.consultation_draft, name="consultation_draft"),
    path("consultations/<int:pk>/reply/", consultations.consultation_reply, name="consultation_reply"),
    path("consultations/<int:pk>/decision/", consultations.consultation_outcome, name="consultation_outcome"),
    path("consultations/<int:pk>/link/", consultations.consultation_link, name="consultation_link"),
    path("wording/new/<slug:kind>/<int:pk>/", wording.wording_new, name="wording_new"),
    path("wording/<int:pk>/", wording.wording_detail, name="wording_detail"),
    path("wording/<int:pk>/edit/", wording.wording_edit, name="wording_edit"),
    path("assessments/", assessments.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/<slug:event>/", assessments.assessment_event, name="assessment_event"),
    path("pupils/<int:pupil_id>/", assessments.pupil_ehc, name="pupil_ehc"),
    path("pupils/<int:pupil_id>/assessments/new/", assessments.assessment_new, name="assessment_new"),
    path("pupils/<int:pupil_id>/plans/new/", plans.plan_new, name="plan_new"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/amend/", plans.plan_amend, name="plan_amend"),
    path("plans/<int:pk>/cease/", plans.plan_cease, name="plan_cease"),
    path("plans/<int:pk>/issue-date/", plan_dates.plan_issue_date, name="plan_issue_date"),
    path("plan-versions/<int:pk>/pdf/", plans.version_pdf, name="version_pdf"),
    path("plan-versions/<int:pk>/pdf/upload/", plans.version_pdf_upload, name="version_pdf_upload"),
    path("plan-versions/<int:pk>/outcomes/new/", plans.version_outcome_add, name="version_outcome_add"),
    path("plan-versions/<int:pk>/provision/new/", plans.version_provision_add, name="version_provision_add"),
]
