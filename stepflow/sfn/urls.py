"""``/aws/``: the Step Functions API endpoint and the compatibility report."""

from django.urls import path

from stepflow.sfn import views

urlpatterns = [
    path("", views.endpoint, name="sfn-endpoint"),
    path("compatibility/", views.CompatibilityView.as_view(), name="sfn-compatibility"),
]
