from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "mrm.jobs"
    label = "jobs"
