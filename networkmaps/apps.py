from django.apps import AppConfig


class NetworkmapsConfig(AppConfig):
    name = "networkmaps"
    verbose_name = "Network maps and metrics"
