from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from members import views as member_views
from members.privacy import views as views_privacy
from netlead.views import healthz

urlpatterns = [
    path("", member_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that do not name an icon (the admin).
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views_privacy.invitation_accept, name="invitation-accept"),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("networkmaps.urls")),
    path("api/v1/", include("netlead.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
