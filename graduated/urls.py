from django.urls import URLPattern

app_name = "graduated"

urlpatterns: list[URLPattern] = []
