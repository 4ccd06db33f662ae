"""URLs: the pages, the REST API under /api/, its schema and docs, the admin, login pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from executions import api as executions
from executions.retention import api as retention
from executions import overview
from executions import views as run_pages
from stepflow import views as project
from workflows import api as workflows
from workflows import views as machine_pages

api = [
    path("machines/", workflows.MachineListView.as_view(), name="machine-list"),
    path("machines/<str:name>/", executions.MachineDetailView.as_view(), name="machine-detail"),
    path("machines/<str:name>/versions/", workflows.VersionListView.as_view(), name="version-list"),
    path("machines/<str:name>/versions/<int:number>/", workflows.VersionDetailView.as_view(), name="version-detail"),
    path("machines/<str:name>/executions/", executions.MachineExecutionsView.as_view(), name="machine-executions"),
    path("executions/<str:execution_id>/", executions.ExecutionDetailView.as_view(), name="execution-detail"),
    path("executions/<str:execution_id>/stop/", executions.StopView.as_view(), name="execution-stop"),
    path("executions/<str:execution_id>/steps/", executions.StepListView.as_view(), name="execution-steps"),
    path("executions/<str:execution_id>/history/", executions.HistoryView.as_view(), name="execution-history"),
    path("retention/", retention.RetentionStatusView.as_view(), name="retention-status"),
    path("tasks/success/", executions.TaskSuccessView.as_view(), name="task-success"),
    path("tasks/failure/", executions.TaskFailureView.as_view(), name="task-failure"),
    path("tasks/heartbeat/", executions.TaskHeartbeatView.as_view(), name="task-heartbeat"),
    path("validate/", workflows.ValidateView.as_view(), name="validate"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="schema-docs"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="schema-redoc"),
]

urlpatterns = [
    path("", run_pages.dashboard, name="dashboard"),
    path("machines/new/", machine_pages.EditorView.as_view(list_functions=overview.fn_functions), name="machine-new"),
    path("machines/<str:name>/", run_pages.machine_page, name="machine-page"),
    path(
        "machines/<str:name>/edit/",
        machine_pages.EditorView.as_view(list_functions=overview.fn_functions),
        name="machine-edit",
    ),
    path("executions/<str:execution_id>/", run_pages.execution_page, name="execution-page"),
    path("api/", include(api)),
    path("api/", project.ApiRootView.as_view(), name="api-root"),
    path("api-auth/", include("rest_framework.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "stepflow.views.json_not_found"
handler500 = "stepflow.views.json_server_error"
