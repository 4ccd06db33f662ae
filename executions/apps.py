from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    """Executions, their history, and the runner that django-q2 workers call."""

    name = "executions"
    verbose_name = "Executions"
