"""WSGI entry point for serving YEP (waitress in `yep serve`, or any WSGI server in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yep.settings")
application = get_wsgi_application()
