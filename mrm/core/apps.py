from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mrm.core"
    label = "core"
