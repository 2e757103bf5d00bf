from django.urls import path

from .views import (
    board,
    dashboards,
    delivery,
    evidence,
    family_concerns,
    family_voice,
    home,
    la_record,
    parent_views,
    portal,
    portal_meetings,
    portal_referrals,
    sen_file_pack,
    sen_information,
)
from .views import data_protection as dp
from .views import public_sen_information as public_sen

app_name = "reports"

urlpatterns = [
    path("", home.home, name="home"),
    path("figures/school/", dashboards.school_view, name="school_dashboard"),
    path("figures/trust/", dashboards.trust_view, name="trust_dashboard"),
    path("figures/trust/<slug:table>.csv", dashboards.trust_csv, name="trust_csv"),
    # promised versus delivered: EHC plan provision against the sessions logged
    path("delivery/", delivery.school_page, name="delivery_school"),
    path("delivery/school.csv", delivery.school_csv, name="delivery_csv"),
    path("delivery/trust/", delivery.trust_page, name="delivery_trust"),
    path("delivery/pupils/<int:pupil_id>/", delivery.pupil_page, name="delivery_pupil"),
    # the local authorities' record: each LA's statutory deadlines, and the inclusion lead's letter to one LA
    path("figures/local-authorities/", la_record.record_page, name="la_record"),
    path("figures/local-authorities/letter/", la_record.letter_page, name="la_letter"),
    # the parent portal
    path("family/", portal.portal_home, name="portal"),
    path("family/child/<int:pk>/", portal.portal_child, name="portal_child"),
    path("family/child/<int:pk>/documents/<int:document_id>/", portal.portal_document, name="portal_document"),
    path("family/child/<int:pk>/support-plan.pdf", portal.portal_plan_pdf, name="portal_plan_pdf"),
    path("family/child/<int:pk>/reviews/<int:review_id>.pdf", portal.portal_review_pdf, name="portal_review_pdf"),
    path("family/large-print/", portal.portal_large_print, name="portal_large_print"),
    path(
        "family/child/<int:pk>/views/<slug:kind>/<int:subject_id>/",
        parent_views.portal_views,
        name="portal_views",
    ),
    # a parent raises a concern about their own child (the answer is on the child's page)
    path("family/child/<int:pk>/concerns/new/", family_concerns.concern_new, name="portal_concern_new"),
    path("family/child/<int:pk>/all-about-me/", family_voice.all_about_me_home, name="portal_all_about_me"),
    path(
        "family/child/<int:pk>/meetings/<slug:kind>/<int:meeting_id>/",
        portal_meetings.portal_meeting_reply,
        name="portal_meeting_reply",
    ),
    path(
        "family/referrals/<int:pk>/say-no/", portal_referrals.portal_referral_withdraw, name="portal_referral_withdraw"
    ),
    # the trust board report
    path("board-reports/", board.board_reports, name="board_reports"),
    path("board-reports/<int:pk>/status/", board.board_report_status, name="board_report_status"),
    path("board-reports/<int:pk>/download/", board.board_report_download, name="board_report_download"),
    # the SEN information report
    path("sen-information-report/", sen_information.sen_information, name="sen_information"),
    path("sen-information-report/pdf/", sen_information.sen_information_pdf, name="sen_information_pdf"),
    path(
        "sen-information-report/versions/<int:pk>/",
        sen_information.sen_information_version,
        name="sen_information_version",
    ),
    # The published report, for anyone without signing in: the address a school's website links to.
    path(
        "public/schools/<str:urn>/sen-information-report/",
        public_sen.public_sen_information,
        name="public_sen_information",
    ),
    path(
        "public/schools/<str:urn>/sen-information-report.pdf",
        public_sen.public_sen_information_pdf,
        name="public_sen_information_pdf",
    ),
    path("evidence-pack/<int:pupil_id>/", evidence.evidence_pack, name="evidence_pack"),
    # the SEN file pack for the next school of a pupil leaving the trust (with the CTF, register:ctf_send)
    path("sen-file-pack/<int:pupil_id>/<str:kind>/", sen_file_pack.sen_file_pack_download, name="sen_file_pack"),
    # data protection: retention, legal holds, subject access (reports.views.data_protection)
    path("data-protection/", dp.home, name="data_protection"),
    path("data-protection/lead/", dp.lead_setting, name="data_protection_lead"),
    path("data-protection/destruction/<int:pk>/", dp.sign_off, name="destruction_sign_off"),
    path("data-protection/pupils/<int:pupil_id>/hold/", dp.hold_new, name="legal_hold_new"),
    path("data-protection/holds/<int:pk>/lift/", dp.hold_lift, name="legal_hold_lift"),
    path("data-protection/pupils/<int:pupil_id>/subject-access/", dp.sar_new, name="sar_new"),
    path("data-protection/subject-access/<int:pk>/", dp.sar_detail, name="sar_detail"),
    path("data-protection/subject-access/<int:pk>/export/", dp.sar_export, name="sar_export"),
    path(
        "data-protection/pupils/<int:pupil_id>/documents/<int:pk>/delete/",
        dp.document_delete,
        name="document_delete",
    ),
]
