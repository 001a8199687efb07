"""The local web app: ``photodose serve`` (FastAPI + Jinja2 + HTMX, vendored, no network).

Thin by design: pages parse a form, call the services and models (``services.evaluate``, the
device catalogue, ``depth``, ``claims``) and render what they return. See docs/web.md.
"""

from photodose.web.app import create_app
from photodose.web.security import WebSettings, is_loopback, new_token

__all__ = ["WebSettings", "create_app", "is_loopback", "new_token"]
