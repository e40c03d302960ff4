"""A local SMTP server for tests (aiosmtpd in a thread): Django's SMTP backend talks to it over a real socket.

    server = FakeSMTPServer().start()   # EMAIL_HOST=127.0.0.1, EMAIL_PORT=server.port
    server.messages                     # email.message.EmailMessage objects received
    server.fail(451)                    # the next DATA answers "451 ..." (a transient refusal)
"""
import socket
import threading
from collections import deque
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server: "FakeSMTPServer"):
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.server.lock:
            if self.server.failures:
                code = self.server.failures.popleft()
                return f"{code} Fake failure {code}"
            self.server.envelopes.append(envelope)
            self.server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeSMTPServer:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list = []
        self.envelopes: list = []
        self.failures: deque = deque()
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      server_hostname="fake-smtp.localhost")

    def start(self) -> "FakeSMTPServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def fail(self, code: int) -> None:
        self.failures.append(code)
