from . import document_views, import_views, parent_views, views

app_name = "pupils"

# Each module owns its own patterns: pupil lists (views), MIS import, documents and access grants.
urlpatterns = views.urlpatterns + import_views.urlpatterns + document_views.urlpatterns + parent_views.urlpatterns
