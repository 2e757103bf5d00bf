from . import document_views, import_views, views

app_name = "pupils"

# Each module owns its own patterns: pupil lists (views), MIS import, documents and access grants.
urlpatterns = views.urlpatterns + import_views.urlpatterns + document_views.urlpatterns
