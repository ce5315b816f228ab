"""A round-robin load balancer for the tests: an asyncio HTTP forwarder on 127.0.0.1 sending each
request to the next of its backends in turn, as a platform's balancer in front of several bot
processes would.

One request per connection (the answer carries `Connection: close`), forwarded byte for byte
with its headers (Telegram's secret header included); the backend's answer is relayed as it
comes. A backend that does not accept the connection gets the request passed to the next one;
if none does, or one closes without answering, 502 (the stand-in Bot API then delivers the
update again). It runs its own event
loop in a thread, so synchronous tests (real `python -m bot` processes) can use it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from types import TracebackType

MAX_HEADER_BYTES = 64 * 1024
CONNECT_SECONDS = 2.0
ANSWER_SECONDS = 120.0  # a webhook request is answered once its update was handled


class Balancer:
    def __init__(self, backend_ports: list[int]) -> None:
        self.backends = list(backend_ports)
        self.served: Counter[int] = Counter()  # backend port → requests it answered
        self._next = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._lock = threading.Lock()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Balancer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = future.result(timeout=10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def count(self, port: int) -> int:
        with self._lock:
            return self.served[port]

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _order(self) -> list[int]:
        """The backends, starting with the next in turn."""
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.backends)
        return self.backends[start:] + self.backends[:start]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is None:
                return
            for port in self._order():
                try:
                    upstream_reader, upstream_writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", port), CONNECT_SECONDS
                    )
                except (OSError, TimeoutError):
                    continue  # that process is down: the next one takes it
                try:
                    upstream_writer.write(request)
                    await upstream_writer.drain()
                    answer = await asyncio.wait_for(upstream_reader.read(), ANSWER_SECONDS)
                finally:
                    upstream_writer.close()
                if not answer:
                    break  # it died with the request (maybe half handled): 502, sent again
                with self._lock:
                    self.served[port] += 1
                writer.write(answer)
                await writer.drain()
                return
            writer.write(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    """The whole request, re-headed `Connection: close` so the answer ends the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    if len(head) > MAX_HEADER_BYTES:
        return None
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        if name.strip().lower() in {"connection", "keep-alive"}:
            continue
        kept.append(line)
    kept.append("Connection: close")
    body = await reader.readexactly(length) if length else b""
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1") + body
