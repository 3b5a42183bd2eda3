import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# Web requests run their queries under ONRECORD_STATEMENT_TIMEOUT_MS (see settings).
os.environ.setdefault("ONRECORD_WEB_PROCESS", "true")

application = get_asgi_application()
