"""The base of the ad/analytics API fakes: a real HTTP server on a local port (threads + http.server).

Each request is kept in `server.requests` ({"method", "path", "query", "headers", "body"}). A scripted reply
(`server.script(status, body, headers)`) answers the next request; with none left the fake's `auto()`
answers like the real service from its own state, so most tests script only the odd answer.
"""
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server: "ScriptedServer"

    def log_message(self, *args):
        return

    def _handle(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request = {"method": self.command, "path": parts.path,
                   "query": {k: v[-1] for k, v in parse_qs(parts.query).items()},
                   "headers": {k.lower(): v for k, v in self.headers.items()}, "raw": raw}
        content_type = request["headers"].get("content-type", "")
        if "json" in content_type:
            try:
                request["body"] = json.loads(raw or b"{}")
            except ValueError:
                request["body"] = None
        else:
            request["body"] = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        with self.server.lock:
            self.server.requests.append(request)
            scripted = self.server.replies.popleft() if self.server.replies else None
        status, body, headers = scripted if scripted is not None else self.server.auto(request)
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False)
            headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = _handle  # noqa: N815


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.replies: deque = deque()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def script(self, status: int, body: object = "", headers: dict | None = None, *, times: int = 1) -> None:
        for _n in range(times):
            self.replies.append((status, body, headers or {}))

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.replies.clear()

    def auto(self, request: dict) -> tuple[int, object, dict]:
        raise NotImplementedError


def figures(campaign_id: str, day) -> dict:
    """Deterministic daily figures of a campaign, shared by the fakes and the tests' expectations."""
    seed = sum(ord(c) for c in str(campaign_id))
    impressions = 1000 + (seed % 50) * 10 + day.day
    clicks = impressions // 20
    conversions = clicks // 10
    return {"impressions": impressions, "clicks": clicks, "cost_kopecks": clicks * 1250,
            "conversions": conversions, "revenue_kopecks": conversions * 300_000}
