"""Websocket routes (wired in ``stepflow/asgi.py``)."""

from django.urls import path

from executions.consumers import DashboardConsumer, ExecutionConsumer

websocket_urlpatterns = [
    path("ws/executions/<str:execution_id>/", ExecutionConsumer.as_asgi()),
    path("ws/dashboard/", DashboardConsumer.as_asgi()),
]
