from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "mrm.tenancy"
    label = "tenancy"
