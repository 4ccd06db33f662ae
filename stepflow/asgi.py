"""ASGI entry point served by daphne: HTTP through Django, websockets through Channels.

The websocket routes (live execution views) arrive with the UI issue; until then the
router accepts HTTP only.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi_app})
