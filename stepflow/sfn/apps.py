from django.apps import AppConfig


class SfnConfig(AppConfig):
    """The AWS Step Functions API: access keys, Lambda mappings, tags."""

    name = "stepflow.sfn"
    label = "sfn"
    verbose_name = "Step Functions API"
    default_auto_field = "django.db.models.BigAutoField"
