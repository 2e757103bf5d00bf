from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("plans/<int:plan_id>/start/", views.review_start, name="start"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/meeting/", views.review_schedule, name="schedule"),
    path("<int:pk>/invitees/new/", views.invitee_add, name="invitee_add"),
    path("<int:pk>/invitees/<int:invitee_id>/remove/", views.invitee_remove, name="invitee_remove"),
    path("<int:pk>/invitees/<int:invitee_id>/advice/", views.invitee_advice, name="invitee_advice"),
    path("<int:pk>/invitations/", views.review_invitations, name="invitations"),
    path("<int:pk>/advice-circulated/", views.review_circulate, name="circulate"),
    path("<int:pk>/record/", views.review_meeting_record, name="meeting_record"),
    path("<int:pk>/report-sent/", views.review_report_sent, name="report_sent"),
    path("<int:pk>/la-decision/", views.review_la_decision, name="la_decision"),
    path("<int:pk>/amendments/", views.review_amendments, name="amendments"),
    path("<int:pk>/cancel/", views.review_cancel, name="cancel"),
    path("<int:pk>/report.pdf", views.review_pdf, name="pdf"),
    path("<int:pk>/parent-views/ask/", views.review_ask_parents, name="ask_parents"),
    path("<int:pk>/parent-views/<int:contribution_id>/copy/", views.review_copy_parent_views, name="copy_parent_views"),
    path("<int:pk>/pupil-views/all-about-me/", views.review_use_all_about_me, name="use_all_about_me"),
]
