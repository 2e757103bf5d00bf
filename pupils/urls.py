from django.urls import path

from .views import documents, health, imports, moves, parents, record, search, voice

app_name = "pupils"

urlpatterns = [
    path("search/", search.search, name="search"),
    path("<int:pk>/", record.record, name="record"),
    path("<int:pk>/access-log/", record.access_log, name="access_log"),
    path("<int:pupil_id>/move/", moves.move, name="move"),
    # the pupil's "All about me" (pupils.voice)
    path("<int:pupil_id>/all-about-me/", voice.all_about_me, name="all_about_me"),
    path("<int:pupil_id>/all-about-me/new/", voice.all_about_me_new, name="all_about_me_new"),
    # MIS import
    path("import/", imports.start, name="import"),
    path("import/check/<str:token>/", imports.preview, name="import_preview"),
    path("import/leavers/<int:school_id>/", imports.leavers, name="import_leavers"),
    path("import/leavers/pupil/<int:pk>/", imports.leaver_decide, name="import_leaver_decide"),
    # documents and per-pupil access
    path("<int:pupil_id>/documents/add/", documents.document_upload, name="document_upload"),
    path("<int:pupil_id>/documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("<int:pupil_id>/access/", documents.access_grants, name="access_grants"),
    path("<int:pupil_id>/access/cover-teacher/", documents.grant_cover, name="grant_cover"),
    path("<int:pupil_id>/access/external/", documents.grant_external, name="grant_external"),
    path("<int:pupil_id>/access/<int:pk>/remove/", documents.revoke_access, name="revoke_access"),
    path("shared-with-me/", documents.shared_with_me, name="shared_with_me"),
    # parents and carers
    path("<int:pupil_id>/parents/new/", parents.contact_new, name="contact_new"),
    path("<int:pupil_id>/parents/<int:contact_id>/invite/", parents.contact_invite, name="contact_invite"),
    path(
        "<int:pupil_id>/parents/<int:contact_id>/large-print/", parents.contact_large_print, name="contact_large_print"
    ),
    # medical conditions and individual health care plans
    path("<int:pupil_id>/health/", health.overview, name="health"),
    path("<int:pupil_id>/health/conditions/add/", health.condition_add, name="condition_add"),
    path("<int:pupil_id>/health/conditions/<int:pk>/", health.condition_edit, name="condition_edit"),
    path("<int:pupil_id>/health/plan/", health.plan_edit, name="health_plan_edit"),
    path("<int:pupil_id>/health/plan/<int:pk>/", health.plan_detail, name="health_plan"),
    path("<int:pupil_id>/health/plan/<int:pk>/agree/", health.parent_agree, name="health_plan_agree"),
]
