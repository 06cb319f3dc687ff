app_name = "networkmaps"
urlpatterns = []
