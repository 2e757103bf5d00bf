from . import board_views, evidence, portal, sen_information_views, views

app_name = "reports"

urlpatterns = (
    views.urlpatterns
    + portal.urlpatterns
    + board_views.urlpatterns
    + sen_information_views.urlpatterns
    + evidence.urlpatterns
)
