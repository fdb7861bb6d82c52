from django.urls import path

from hocvuso.packs import views

app_name = "packs"

# The path predates the packs app: lesson bodies already stored keep working.
urlpatterns = [path("learn/media/<str:name>", views.pack_media, name="media")]
