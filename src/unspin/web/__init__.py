"""The web app and HTTP API: `create_app(settings)` builds it, `unspin serve` runs it."""

from unspin.web.app import create_app
from unspin.web.settings import Settings

__all__ = ["create_app", "Settings"]
