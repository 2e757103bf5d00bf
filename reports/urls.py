from django.urls import path

from . import board_views, evidence, home_views, portal, sen_information_views, views

app_name = "reports"

urlpatterns = (
    [path("", home_views.home, name="home")]
    + views.urlpatterns
    + portal.urlpatterns
    + board_views.urlpatterns
    + sen_information_views.urlpatterns
    + evidence.urlpatterns
)
