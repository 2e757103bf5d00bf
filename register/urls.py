from django.urls import path
from django.views.generic import RedirectView

from .views import concerns, ctf, referrals, register

app_name = "register"

urlpatterns = [
    path("", register.register_list, name="list"),
    path("census.csv", register.census_export, name="census_export"),
    path("my-pupils/", register.my_pupils, name="my_pupils"),
    # The pupil record moved to pupils (/pupils/<pk>/); old links and bookmarks still arrive.
    path("pupil/<int:pk>/", RedirectView.as_view(pattern_name="pupils:record", permanent=True), name="moved_record"),
    path("pupil/<int:pk>/status/", register.change_status, name="change_status"),
    # the common transfer file: a leaver's, sent out of the trust; an arriving pupil's, imported
    path("pupil/<int:pk>/common-transfer-file/", ctf.ctf_send, name="ctf_send"),
    path("common-transfer-file/import/", ctf.ctf_import, name="ctf_import"),
    # causes for concern
    path("concerns/new/", concerns.concern_new, name="concern_new"),
    path("concerns/mine/", concerns.my_concerns, name="my_concerns"),
    path("concerns/", concerns.concern_queue, name="concern_queue"),
    path("concerns/<int:pk>/", concerns.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/start/", concerns.concern_start, name="concern_start"),
    path("concerns/<int:pk>/triage/", concerns.concern_triage, name="concern_triage"),
    # referrals to outside agencies, with parental consent
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("referrals.csv", referrals.referral_export, name="referral_export"),
    path("pupil/<int:pk>/referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/<slug:step>/", referrals.referral_step, name="referral_step"),
]
