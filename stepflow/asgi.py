"""ASGI entry point served by daphne: HTTP through Django, websockets through Channels.

Websockets carry the live execution views (``executions/routing.py``): only for a signed-in
user (session cookie, ``AuthMiddlewareStack``) and only from this site's own pages
(``AllowedHostsOriginValidator`` refuses other origins).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")

# This is the web process: on PostgreSQL its requests share a connection pool (see
# settings). Only while the settings load, so processes started from here never inherit it.
_pool_set_here = "STEPFLOW_DATABASE_POOL" not in os.environ
if _pool_set_here:
    os.environ["STEPFLOW_DATABASE_POOL"] = "true"
try:
    # Django must be set up before anything imports models (consumers, routing).
    django_asgi_app = get_asgi_application()
finally:
    if _pool_set_here:
        del os.environ["STEPFLOW_DATABASE_POOL"]

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from executions.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
