"""A local Telegram Bot API for tests (threads + http.server), spoken to over real HTTP.

Point `TELEGRAM_API_URL` at `server.base_url`. It answers `/bot<token>/sendMessage` with a real Message object
and `/bot<token>/getUpdates` with the updates queued by `server.queue_update(...)`, both in the Bot API's
envelope `{"ok": true, "result": ...}`. Script failures, one per request, in order:

    server.fail(500)                 # {"ok": false, "error_code": 500, "description": "..."}
    server.fail(429, retry_after=1)  # with "parameters": {"retry_after": 1}
    server.fail(403, "Forbidden: bot was blocked by the user")

Every request is kept in `server.requests` and every message actually sent (HTTP 200) in `server.sent`.
"""
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "123456:TEST-token"


class _Handler(BaseHTTPRequestHandler):
    server: "FakeTelegramServer"

    def log_message(self, *args):
        return

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        prefix, _, method = self.path.lstrip("/").partition("/")
        with self.server.lock:
            self.server.requests.append({"method": method, "body": body, "token": prefix[3:]})
            failure = self.server.failures.popleft() if self.server.failures and method in ("sendMessage",) else None
        if prefix != f"bot{self.server.token}":
            return self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if failure:
            code, description, retry_after = failure
            data = {"ok": False, "error_code": code, "description": description}
            if retry_after is not None:
                data["parameters"] = {"retry_after": retry_after}
            return self._send(code, data)
        if method == "sendMessage":
            if "chat_id" not in body or not body.get("text"):
                return self._send(400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"})
            with self.server.lock:
                self.server.message_id += 1
                message = {"message_id": self.server.message_id, "date": int(time.time()),
                           "chat": {"id": body["chat_id"], "type": "private"}, "text": body["text"],
                           "from": {"id": 1, "is_bot": True, "first_name": "MRM", "username": "mrm_test_bot"}}
                self.server.sent.append(message)
            return self._send(200, {"ok": True, "result": message})
        if method == "getUpdates":
            offset = body.get("offset") or 0
            with self.server.lock:
                result = [u for u in self.server.updates if u["update_id"] >= offset]
            return self._send(200, {"ok": True, "result": result})
        return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def _send(self, code: int, data: dict) -> None:
        out = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


class FakeTelegramServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, token: str = TOKEN):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token = token
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.sent: list[dict] = []
        self.updates: list[dict] = []
        self.failures: deque = deque()
        self.message_id = 0
        self._update_id = 100
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "FakeTelegramServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def fail(self, code: int, description: str = "", *, retry_after: int | None = None) -> None:
        """The next sendMessage answers this error."""
        self.failures.append((code, description or f"Fake error {code}", retry_after))

    def queue_update(self, *, chat_id: int, text: str) -> dict:
        """A private message from a user to the bot, as getUpdates (or a webhook) delivers it."""
        with self.lock:
            self._update_id += 1
            update = {"update_id": self._update_id, "message": {
                "message_id": self._update_id, "date": int(time.time()), "text": text,
                "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "ru"},
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}
            self.updates.append(update)
        return update
