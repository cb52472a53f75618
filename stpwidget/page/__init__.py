"""The explorer as one self-contained HTML page (the exact model runs in the browser)."""

from stpwidget.page.page import CONTROLS, PANELS, page_config, page_html, save_page, script_sources

__all__ = ["CONTROLS", "PANELS", "page_config", "page_html", "save_page", "script_sources"]
