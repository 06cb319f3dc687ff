"""The networkmaps app: what is computed from members' networks and shown."""

from django.apps import AppConfig


class NetworkmapsConfig(AppConfig):
    name = "networkmaps"
    verbose_name = "Network maps and metrics"

    def ready(self) -> None:
        # Connects the receivers of members' signals (the one seam between the apps).
        from networkmaps import receivers  # noqa: F401
