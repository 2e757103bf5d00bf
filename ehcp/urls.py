from django.urls import URLPattern

app_name = "ehcp"

urlpatterns: list[URLPattern] = []
