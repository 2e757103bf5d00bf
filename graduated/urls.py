from django.urls import path

from .views import arrangements, catalogue, cycles, delivery, parent_views

app_name = "graduated"

urlpatterns = [
    path("pupils/", cycles.overview, name="overview"),
    path("pupils/<int:pupil_id>/", cycles.pupil_support, name="pupil"),
    path("pupils/<int:pupil_id>/start/", cycles.cycle_start, name="cycle_start"),
    path("pupils/<int:pupil_id>/passport/", cycles.passport, name="passport"),
    path("pupils/<int:pupil_id>/plan.pdf", cycles.plan_pdf, name="plan_pdf"),
    path("pupils/<int:pupil_id>/meetings/new/", cycles.meeting_new, name="meeting_new"),
    path("pupils/<int:pupil_id>/log/", delivery.log_session, name="log_session"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/assess/", cycles.assess, name="assess"),
    path("cycles/<int:pk>/assessments/new/", cycles.assessment_new, name="assessment_new"),
    path("cycles/<int:pk>/outcomes/new/", cycles.outcome_new, name="outcome_new"),
    path("cycles/<int:pk>/outcomes/<int:outcome_id>/", cycles.outcome_edit, name="outcome_edit"),
    path("cycles/<int:pk>/strategies/new/", cycles.strategy_new, name="strategy_new"),
    path("cycles/<int:pk>/provision/new/", cycles.allocation_new, name="allocation_new"),
    path("cycles/<int:pk>/remove/<slug:kind>/<int:item_id>/", cycles.item_remove, name="item_remove"),
    path("cycles/<int:pk>/plan/", cycles.plan, name="plan"),
    path("cycles/<int:pk>/review/", cycles.review, name="review"),
    path("cycles/<int:pk>/parent-views/ask/", parent_views.ask_parents, name="ask_parents"),
    path("cycles/<int:pk>/parent-views/<int:contribution_id>/copy/", parent_views.copy_views, name="copy_parent_views"),
    path("sessions/", delivery.sessions, name="sessions"),
    path("sessions/group/<int:provision_id>/", delivery.log_group_session, name="log_group_session"),
    path("provision/", catalogue.catalogue, name="catalogue"),
    path("provision/new/", catalogue.provision_new, name="provision_new"),
    path("provision/rates/", catalogue.rates, name="rates"),
    path("provision/<int:pk>/", catalogue.provision_edit, name="provision_edit"),
    path("provision-map/", catalogue.provision_map, name="provision_map"),
    path("provision-map.csv", catalogue.provision_map_csv, name="provision_map_csv"),
    path("provision-map/impact.csv", catalogue.provision_impact_csv, name="provision_impact_csv"),
    # Exam access arrangements and reasonable adjustments.
    path("access-arrangements/", arrangements.arrangements, name="arrangements"),
    path("access-arrangements.csv", arrangements.arrangements_csv, name="arrangements_csv"),
    path("pupils/<int:pupil_id>/access-arrangements/", arrangements.pupil_arrangements, name="pupil_arrangements"),
    path("pupils/<int:pupil_id>/access-arrangements/new/", arrangements.arrangement_new, name="arrangement_new"),
    path("access-arrangements/<int:pk>/", arrangements.arrangement_edit, name="arrangement_edit"),
]
