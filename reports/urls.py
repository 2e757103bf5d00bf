from . import board_views, portal, sen_information_views, views

app_name = "reports"

urlpatterns = views.urlpatterns + portal.urlpatterns + board_views.urlpatterns + sen_information_views.urlpatterns
