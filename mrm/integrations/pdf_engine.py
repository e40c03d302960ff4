"""The WeasyPrint half of `mrm.integrations.pdf`, imported by the first render (a web worker that never renders a
PDF never loads WeasyPrint, fontTools and Pillow: ~40 MB of its memory). The rules are in `pdf`'s docstring."""
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from mrm.core.storage import public_storage

from .pdf import STORAGE_SCHEME, _font_lock, allowed_roots, font_face_css, upload_roots


class SafeURLFetcher(URLFetcher):
    """Serves `data:` URLs, static files and the public-storage files of `storage_names`; refuses everything else."""

    def __init__(self, *, storage_names: Iterable[str] = (), **kwargs):
        super().__init__(**kwargs)
        self._storage_names = frozenset(n for n in storage_names if n)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == STORAGE_SCHEME:
            name = unquote(url.split(":", 1)[1])
            if name not in self._storage_names:
                raise ValueError(f"not a file of this document: {url}")
            with public_storage().open(name, "rb") as fh:
                body = fh.read()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if (any(path.is_relative_to(root) for root in allowed_roots())
                    and not any(path.is_relative_to(root) for root in upload_roots()) and path.is_file()):
                return super().fetch(url, headers)
            raise ValueError(f"file outside the static files: {url}")
        raise ValueError(f"external resources are not fetched: {url}")


_fonts_cache: dict[str, tuple] = {}


def _fonts() -> tuple[FontConfiguration, CSS]:
    """The font configuration and @font-face stylesheet, built once per process (and per set of font
    files): loading six font files for every PDF is a large share of a one-second render."""
    css_text = font_face_css()
    cached = _fonts_cache.get(css_text)
    if cached is None:
        with _font_lock:
            config = FontConfiguration()
            cached = (config, CSS(string=css_text, font_config=config, url_fetcher=SafeURLFetcher()))
            _fonts_cache.clear()
            _fonts_cache[css_text] = cached
    return cached


def render(*, html: str, storage_names: Iterable[str] = ()) -> bytes:
    fonts, font_css = _fonts()
    document = HTML(string=html, url_fetcher=SafeURLFetcher(storage_names=storage_names))
    return document.write_pdf(stylesheets=[font_css], font_config=fonts)
