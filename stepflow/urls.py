"""URLs: the pages, the REST API under /api/, its schema and docs, the admin, login pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from stepflow.access import api as access
from stepflow.access import views as account_pages
from stepflow.access.login import ThrottledAuthenticationForm
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
    path("tokens/", access.TokenListView.as_view(), name="token-list"),
    path("tokens/<int:token_id>/", access.TokenDetailView.as_view(), name="token-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the pages' CSP allows no inline script.
    path("schema/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="schema-docs"),
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
    path("aws/", include("stepflow.sfn.urls")),  # the AWS Step Functions API (stepflow/sfn/)
    path("account/tokens/", account_pages.token_page, name="account-tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_pages.revoke_token, name="account-token-revoke"),
    # Sign in and out, and change one's password; no e-mailed reset (no mail is configured:
    # admins set passwords in /admin/).
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
]

handler404 = "stepflow.views.json_not_found"
handler500 = "stepflow.views.json_server_error"
