"""A local OpenAI-compatible HTTP server for tests (threads + http.server), spoken to over real HTTP.

Script what it answers, one reply per request, in order:

    server.reply_json({...})          # a valid chat completion whose content is this JSON
    server.reply_text("not json {")   # a completion whose content is malformed JSON
    server.reply_status(429)          # an API error with this HTTP status (429, 500, 400, …)
    server.reply_slow(2.0, {...})     # sleep first (longer than the client timeout → timeout)

With nothing scripted it answers "auto": a valid draft built from the catalog found in the request,
so end-to-end journeys need no scripting. Every request body is kept in `server.requests`.
"""
import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(content: str, *, model: str = "fake-model", finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content, "refusal": None}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def auto_draft(request_body: dict) -> dict:
    """A plausible structured answer that uses the first services of the catalog sent in the prompt."""
    text = "\n".join(str(m.get("content", "")) for m in request_body.get("messages", []))
    match = re.search(r"<catalog>\s*(.*?)\s*</catalog>", text, re.S)
    catalog = json.loads(match.group(1)) if match else {"services": []}
    lines = []
    for service in catalog.get("services", [])[:3]:
        role = service["roles"][0] if service.get("roles") else {"id": "none"}
        lines.append({"service_id": service["id"], "role_id": role["id"], "hours": service.get("hours_max", 8),
                      "note": "Оценка по опыту похожих проектов"})
    return {
        "understanding": "Компании нужен понятный план продвижения на ближайший квартал.",
        "goals": ["Увеличить число заявок", "Снизить стоимость заявки"],
        "stages": [{"title": "Стратегия и запуск", "description": "Анализ, стратегия, запуск кампаний.",
                    "lines": lines}],
        "questions": ["Какие каналы уже пробовали?"],
    }


class _Handler(BaseHTTPRequestHandler):
    server: "FakeOpenAIServer"

    def log_message(self, *args):  # keep test output clean
        return

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        self.server.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
        kind, payload = self.server.next_reply()
        if kind == "slow":
            seconds, inner = payload
            time.sleep(seconds)
            kind, payload = inner
        if kind == "status":
            code = payload
            err = {"error": {"message": f"fake error {code}", "type": "fake", "code": str(code)}}
            self._send(code, err)
        elif kind == "json":
            self._send(200, completion(json.dumps(payload, ensure_ascii=False)))
        elif kind == "text":
            self._send(200, completion(payload))
        else:  # auto
            self._send(200, completion(json.dumps(auto_draft(body), ensure_ascii=False)))

    def _send(self, code: int, data: dict) -> None:
        out = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        if code == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        try:
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


class FakeOpenAIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self._replies: deque = deque()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def next_reply(self):
        with self._lock:
            return self._replies.popleft() if self._replies else ("auto", None)

    def reply_json(self, data: dict) -> None:
        self._replies.append(("json", data))

    def reply_text(self, text: str) -> None:
        self._replies.append(("text", text))

    def reply_status(self, code: int) -> None:
        self._replies.append(("status", code))

    def reply_slow(self, seconds: float, data: dict | None = None) -> None:
        self._replies.append(("slow", (seconds, ("json", data) if data is not None else ("auto", None))))

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
        self.requests.clear()
