"""WSGI entry point (for operators who front stepflow with a WSGI server; live views need ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepflow.settings")

application = get_wsgi_application()
