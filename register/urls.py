from . import concern_views, views

app_name = "register"

urlpatterns = views.urlpatterns + concern_views.urlpatterns
