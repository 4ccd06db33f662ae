from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    """State machines and their immutable versions."""

    name = "workflows"
    verbose_name = "Workflows"
