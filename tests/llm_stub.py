"""A stub OpenAI-compatible chat-completions server on 127.0.0.1 that replays recorded answers.

It speaks the real protocol (POST /v1/chat/completions, JSON in, a chat.completion object out) and
picks the answer whose key (an article's title or any text of it) occurs in the user message. Modes
make it fail the ways real servers do. Used by the tests and by bench/bench_llm.py.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "refuse", "400", "401", "404", "429", "500", "503", "hang", "trickle", "not_json",
         "invalid_json", "truncated", "schema", "no_choices", "redirect", "echo_key", "slow")


class ChatStub:
    """`answers`: key -> answer (a dict, sent as JSON text, or a str sent as is). `mode` is one of
    MODES, or a list of them used one per request (the last repeats)."""

    def __init__(self, answers: dict[str, Any] | None = None, *, mode: str | list[str] = "ok",
                 delay_s: float = 0.0):
        self.answers = dict(answers or {})
        self.mode = mode
        self.delay_s = delay_s
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.redirect_to = "http://127.0.0.1:9/v1/chat/completions"

    # -- lifecycle
    def start(self, port: int = 0) -> "ChatStub":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                stub._record(self, None)
                self._send(404, {"error": {"message": "not found"}})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                mode = stub._record(self, body)
                with stub.lock:
                    stub.in_flight += 1
                    stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                try:
                    stub._answer(self, body, mode)
                finally:
                    with stub.lock:
                        stub.in_flight -= 1

            def _send(self, status, obj=None, *, raw: bytes | None = None, headers=()):
                data = raw if raw is not None else json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers:
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.Handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    # -- behaviour
    def _record(self, handler, body) -> str:
        with self.lock:
            i = len(self.requests)
            self.requests.append({"method": handler.command, "path": handler.path,
                                  "headers": dict(handler.headers.items()), "body": body})
            if isinstance(self.mode, list):
                return self.mode[min(i, len(self.mode) - 1)]
            return self.mode

    def pick(self, body) -> Any:
        user = next((m.get("content", "") for m in (body or {}).get("messages", []) if m.get("role") == "user"), "")
        # the longest key found: an article's title may contain another's
        hits = [k for k in self.answers if k and k in user]
        return self.answers[max(hits, key=len)] if hits else {"traveler": None, "origin": None, "stops": []}

    def _answer(self, h, body, mode: str) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        if mode == "refuse":  # close the connection without a word
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if mode in ("400", "401", "404", "429", "500", "503"):
            msg = {"400": "bad request", "401": "invalid api key", "404": "model not found",
                   "429": "rate limited", "500": "internal error", "503": "loading model"}[mode]
            return h._send(int(mode), {"error": {"message": msg}})
        if mode == "echo_key":  # some hosted APIs repeat (part of) a wrong key in the error
            auth = h.headers.get("Authorization", "")
            return h._send(401, {"error": {"message": f"Incorrect API key provided: {auth[7:]}"}})
        if mode == "redirect":
            return h._send(307, {}, headers=[("Location", self.redirect_to)])
        if mode == "hang":
            time.sleep(30)
            return
        if mode == "not_json":
            return h._send(200, raw=b"<html>502 Bad Gateway</html>")
        if mode == "no_choices":
            return h._send(200, {"object": "chat.completion", "choices": []})
        answer = self.pick(body)
        content = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        finish = "stop"
        if mode == "invalid_json":
            content = "Here are the stops: Quito, Lima."
        elif mode == "truncated":
            content, finish = content[: max(1, len(content) // 2)], "length"
        elif mode == "schema":
            content = json.dumps({"traveler": "X", "stops": "Quito"})
        reply = {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
                 "model": (body or {}).get("model", ""),
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                              "finish_reason": finish}],
                 "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}
        data = json.dumps(reply, ensure_ascii=False).encode()
        if mode == "trickle":  # a byte now and then: never a read timeout, never a whole answer
            try:
                h.send_response(200)
                h.send_header("Content-Type", "application/json")
                h.send_header("Content-Length", str(len(data)))
                h.end_headers()
                for b in data:
                    h.wfile.write(bytes([b]))
                    h.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        h._send(200, raw=data)


def free_port() -> int:
    """A port nothing listens on (for 'connection refused')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    """Serve recorded answers until interrupted, for measuring through the real command:

        python tests/llm_stub.py --port 8765 tests/data/eval:tests/data/llm/dev bench/blind:tests/data/llm/blind_h
        python bench/score.py tests/data/eval --cmd '.venv/bin/tourmap extract {article} --extractor llm --config C'

    Each argument is ARTICLES_DIR:ANSWERS_DIR; an answer NAME.answer.json goes with the article NAME.*.
    """
    import argparse
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tourmap.article import read_article

    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="+", metavar="ARTICLES_DIR:ANSWERS_DIR")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    answers = {}
    for pair in args.pairs:
        arts, ans = map(Path, pair.split(":", 1))
        for a in sorted(ans.glob("*.answer.json")):
            stem = a.name[: -len(".answer.json")]
            art = next((p for p in arts.glob(stem + ".*") if p.suffix in (".md", ".txt", ".html")), None)
            if art is not None:
                answers[read_article(art).text[:300]] = json.loads(a.read_text(encoding="utf-8"))
    stub = ChatStub(answers).start(args.port)
    print(f"serving {len(answers)} recorded answers at {stub.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stub.stop()


if __name__ == "__main__":
    main()
