"""The members app: programs, people and what they report."""

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Programs and members"
