from . import board_views, portal, views

app_name = "reports"

urlpatterns = views.urlpatterns + portal.urlpatterns + board_views.urlpatterns
