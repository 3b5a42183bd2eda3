import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# Web requests run their queries under ONRECORD_STATEMENT_TIMEOUT_MS (see settings).
os.environ.setdefault("ONRECORD_WEB_PROCESS", "true")

application = get_wsgi_application()
