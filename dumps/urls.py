from django.urls import path

from dumps import views

app_name = "dumps"

urlpatterns = [
    path("", views.dump_index, name="index"),
    path("index.json", views.dump_index_json, name="index-json"),
    path("<str:version>/<str:name>", views.dump_download, name="file"),
]
