from django.urls import path

from . import document_views, import_views, parent_views, views

app_name = "pupils"

# Each module owns its own patterns: pupil lists (views), MIS import, documents and access grants.
urlpatterns = [
    path("<int:pk>/", views.record, name="record"),
    path("<int:pk>/access-log/", views.access_log, name="access_log"),
] + (import_views.urlpatterns + document_views.urlpatterns + parent_views.urlpatterns)
