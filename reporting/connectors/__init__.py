"""Connectors: where a data source's daily rows come from. See `base` for the protocol.

Importing the package registers the API connectors (the file connector registers from AppConfig.ready)."""
from . import vk_ads, yandex_direct, yandex_metrica  # noqa: F401 - each calls base.register()
