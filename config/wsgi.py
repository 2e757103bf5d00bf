import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the apps, their templates) lives as long as the worker: move it out of the
# collector's reach, so that a full collection during a large page (a group of a hundred pupils) scans only
# that request's objects. Measured in make bench: the group session form's p95 fell from ~150 ms to ~100 ms.
gc.freeze()
