from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring layer as an app, so that the commands spanning every context (``seed``,
    ``demo``, ``serve``, ``worker``) live above the contexts they call (ARCHITECTURE.md, Layers)."""

    name = "hotline.config"
    label = "hotline_config"
    verbose_name = "hotline"
