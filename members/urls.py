from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("programs/<slug:slug>/", views.program_detail, name="program-detail"),
]
