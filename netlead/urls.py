"""The site's URLs: pages of both apps, sign-in, the admin and the REST API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from members import views as member_views
from members.privacy import views as views_privacy
from netlead.views import favicon, healthz

urlpatterns = [
    path("", member_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views_privacy.invitation_accept, name="invitation-accept"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("networkmaps.urls")),
    path("api/v1/", include("netlead.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
