"""The one seam to WeasyPrint. The renderer fetches nothing outside what the document is allowed to use:
`data:` URLs, the app's static files (`file://` inside the static roots, never inside an upload root) and
the images of the public storage that the caller names for this render (`mrm-storage:` URLs from
`storage_file_url`, read through the storage API, so S3 works as the local disk does). Everything else —
http(s), other paths, another agency's uploads — raises ValueError (WeasyPrint then skips that resource),
so a URL typed into a proposal can never make the server call out or read other files."""
import logging
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint's progress messages are noise in worker logs (set before the import: it logs while loading
# its default stylesheets); failed resources still log as errors.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

_font_lock = threading.Lock()


def font_cache_dir() -> Path:
    """Where the vendored WOFF2 files are unpacked to TTF once: decoding WOFF2 on every render costs ~1 s."""
    base = Path(getattr(settings, "VAR_DIR", "") or tempfile.gettempdir())
    return (base / "pdf-fonts").resolve()


STORAGE_SCHEME = "mrm-storage"


def allowed_roots() -> list[Path]:
    """Folders `file://` URLs may point into: the static files and the unpacked font cache."""
    roots = []
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    roots.append(font_cache_dir())
    return [r.resolve() for r in roots]


def upload_roots() -> list[Path]:
    """Folders of uploaded files: never read by path, even when a static root contains them."""
    roots = [getattr(settings, "MEDIA_ROOT", ""), getattr(settings, "PRIVATE_MEDIA_ROOT", "")]
    return [Path(r).resolve() for r in roots if r]


def storage_file_url(name: str) -> str:
    """The URL of a public-storage file inside a PDF; fetched only if the render lists `name` in `storage_names`."""
    return f"{STORAGE_SCHEME}:{quote(name)}"


def static_file_url(relative: str) -> str:
    """`file://` URL of a static file (found through the staticfiles finders), or '' if missing."""
    found = finders.find(relative)
    return Path(found).resolve().as_uri() if found else ""


def _font_source(relative: str) -> Path | None:
    found = finders.find(relative)
    return Path(found) if found else None


def _merged_inter_url(weight: int) -> str:
    """`file://` URL of one TTF per weight with Inter's Latin and Cyrillic subsets merged, built once and
    cached on disk. (Decoding WOFF2 on every render costs ~1 s; two same-family subset faces confuse the
    renderer's glyph selection, so they become one font.) '' if the files are missing or cannot be merged."""
    sources = [_font_source(f"vendor/inter/inter-{subset}-{weight}-normal.woff2") for subset in ("latin", "cyrillic")]
    if not all(sources):
        return ""
    target = font_cache_dir() / f"inter-{weight}.ttf"
    newest = max(src.stat().st_mtime for src in sources)
    if target.is_file() and target.stat().st_mtime >= newest:
        return target.as_uri()
    with _font_lock:
        try:
            from fontTools.merge import Merger
            from fontTools.ttLib import TTFont

            target.parent.mkdir(parents=True, exist_ok=True)
            plain = []
            for src in sources:
                font = TTFont(src)
                font.flavor = None
                out = target.parent / f"{src.stem}.ttf"
                font.save(out)
                plain.append(str(out))
            merged = Merger().merge(plain)
            tmp = target.with_suffix(".tmp")
            merged.save(tmp)
            tmp.replace(target)
        except Exception:  # noqa: BLE001 - DejaVu Sans (vendored TTF) still renders every character
            return ""
    return target.as_uri()


def font_face_css() -> str:
    """@font-face rules for the vendored Inter (Cyrillic + Latin merged) and DejaVu Sans as the fallback
    (it also supplies "₽", which Inter's subsets lack)."""
    rules = []
    for weight in (400, 500, 600, 700):
        url = _merged_inter_url(weight)
        if url:
            rules.append(f'@font-face {{ font-family: "Inter"; font-weight: {weight}; '
                         f'src: url("{url}") format("truetype"); }}')
    for weight, file in ((400, "DejaVuSans.ttf"), (700, "DejaVuSans-Bold.ttf")):
        url = static_file_url(f"vendor/dejavu/{file}")
        if url:
            rules.append(f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; '
                         f'src: url("{url}") format("truetype"); }}')
    return "\n".join(rules)


def render_pdf(*, html: str, storage_names: Iterable[str] = ()) -> bytes:
    """Render HTML to PDF bytes with the vendored fonts and the safe fetcher.

    `storage_names`: the public-storage files this document may embed (as `storage_file_url(name)`); the
    caller decides which files are the rendering agency's own. There is no base URL: a relative reference
    resolves to nothing."""
    # WeasyPrint (~40 MB) is loaded by the first render, not by every web worker.
    from .pdf_engine import render

    return render(html=html, storage_names=storage_names)


def __getattr__(name: str):
    if name == "SafeURLFetcher":  # the fetcher lives beside WeasyPrint; `pdf.SafeURLFetcher` keeps working
        from .pdf_engine import SafeURLFetcher

        return SafeURLFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
