"""Asking a language model to read an article: one OpenAI-compatible chat-completions request.

What is sent is the article (publication date, language, title, body) with the versioned instruction
and answer schema in `tourmap/prompts/`; nothing else. The answer is checked for shape here and for
truth against the text in grounding.py. Answers are cached on disk per (article as sent, model,
prompt version, schema version), so a rebuild asks nothing and gives the same bytes.

Any failure (refused connection, HTTP error, timeout, a hanging server, invalid or truncated JSON,
an answer of the wrong shape) is retried a bounded number of times with backoff and then reported
as a one-line problem; the caller falls back to the rules. The API key is read from the environment
variable the config names, sent in the Authorization header to `base_url` and nowhere else, and
never written to the cache, a log or an error message.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .config import LLMSettings
from .models import Article

PROMPT_VERSION = "1"
SCHEMA_VERSION = "1"
PROMPTS = Path(__file__).resolve().parent / "prompts"
SEED = 7  # with temperature 0: the same article gets the same answer from servers that honour it
MAX_ANSWER_BYTES = 4 << 20  # a reply larger than this is not an answer about one article
BACKOFF_S = 0.5  # wait before the first retry, doubled for each further one
BREAKER_AFTER = 2  # articles in a row whose every attempt failed on the service: stop asking...
BREAKER_COOL_S = 300.0  # ...for this long (a run; a long-lived process then tries again)
CACHE_FORMAT = 1
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class ModelError(Exception):
    """One line saying what went wrong, safe to print (never the key).

    `service` problems (unreachable, timeouts, 5xx, 401/403/404) count towards the run's circuit
    breaker; answer problems (bad JSON, wrong shape) are about one article."""

    def __init__(self, message: str, *, service: bool = True, retry: bool = True):
        super().__init__(message)
        self.service = service
        self.retry = retry


@functools.lru_cache(maxsize=1)
def system_prompt() -> str:
    return (PROMPTS / f"extract_v{PROMPT_VERSION}.md").read_text(encoding="utf-8").strip()


@functools.lru_cache(maxsize=1)
def answer_schema() -> dict[str, Any]:
    return json.loads((PROMPTS / f"answer_v{SCHEMA_VERSION}.schema.json").read_text(encoding="utf-8"))


def describe(settings: LLMSettings) -> str:
    """What reads the articles, as the manifest and the tour JSON name it."""
    return f"{settings.model} prompt {PROMPT_VERSION} schema {SCHEMA_VERSION}"


def user_message(article: Article) -> str:
    return (f"Publication date: {article.published or 'unknown'}\nLanguage: {article.language}\n\n"
            f"{article.title}\n\n{article.text}")


def request_body(article: Article, settings: LLMSettings) -> dict[str, Any]:
    schema = {k: v for k, v in answer_schema().items() if k not in ("$schema", "title")}
    return {
        "model": settings.model,
        "messages": [{"role": "system", "content": system_prompt()},
                     {"role": "user", "content": user_message(article)}],
        "temperature": 0,
        "seed": SEED,
        "stream": False,
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "tour_answer", "schema": schema, "strict": False}},
    }


def cache_key(article: Article, settings: LLMSettings) -> str:
    sent = hashlib.sha256(user_message(article).encode("utf-8")).hexdigest()
    raw = json.dumps([CACHE_FORMAT, sent, settings.model, PROMPT_VERSION, SCHEMA_VERSION])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


# --- the answer's shape -------------------------------------------------------------------------


def parse_answer(content: str) -> dict[str, Any]:
    """The model's text -> a normalised answer, or ModelError when it is not one.

    Lenient where a reader would be: unknown fields are ignored, optional fields may be missing,
    evidence may be strings or {"quote": ...} objects, a JSON object wrapped in a code fence is
    unwrapped. Strict where guessing would mean inventing: no JSON object, no list of stops, a
    stop without a name."""
    text = (content or "").strip()
    fence = re.match(r"^```(?:json)?\s*(.*?)\s*```$", text, re.S)
    if fence:
        text = fence.group(1)
    try:
        obj = json.loads(text)
    except ValueError as exc:
        cut = " (cut short?)" if text and text[-1] not in "}]" else ""
        raise ModelError(f"the answer is not valid JSON{cut}: {str(exc).splitlines()[0][:80]}",
                         service=False) from None
    if not isinstance(obj, dict):
        raise ModelError("the answer is not a JSON object", service=False)
    stops = obj.get("stops")
    if not isinstance(stops, list):
        raise ModelError("the answer has no list of stops", service=False)
    out_stops = []
    for i, s in enumerate(stops):
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not s["name"].strip():
            raise ModelError(f"the answer's stops[{i}] has no name", service=False)
        out_stops.append({
            "name": s["name"].strip(),
            "country": _code(s.get("country")),
            "date": _text(s.get("date")),
            "date_end": _text(s.get("date_end")),
            "status": s.get("status") if s.get("status") in ("completed", "planned") else None,
            "met": _names(s.get("met")),
            "landmark": _text(s.get("landmark")),
            "evidence": _quotes(s.get("evidence")),
            "lat": _coord(s.get("lat"), 90),
            "lon": _coord(s.get("lon"), 180),
        })
    origin = obj.get("origin")
    if isinstance(origin, dict) and isinstance(origin.get("name"), str) and origin["name"].strip():
        origin = {"name": origin["name"].strip(), "country": _code(origin.get("country"))}
    else:
        origin = None
    traveler = obj.get("traveler")
    if isinstance(traveler, dict):
        traveler = traveler.get("name")
    return {"traveler": _text(traveler), "origin": origin, "stops": out_stops}


def _text(v: Any) -> str | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip() or v.strip().lower() in ("null", "none", "n/a"):
        return None
    return v.strip()


def _code(v: Any) -> str | None:
    v = _text(v)
    return v.upper() if v and re.fullmatch(r"[A-Za-z]{2}", v) else None


def _coord(v: Any, limit: float) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if -limit <= f <= limit and f == f else None


def _names(v: Any) -> list[str]:
    if isinstance(v, (str, dict)):
        v = [v]
    out = []
    for x in v if isinstance(v, list) else []:
        if isinstance(x, dict):
            x = x.get("name")
        x = _text(x)
        if x and x not in out:
            out.append(x)
    return out


def _quotes(v: Any) -> list[str]:
    if isinstance(v, (str, dict)):
        v = [v]
    out = []
    for x in v if isinstance(v, list) else []:
        if isinstance(x, dict):
            x = x.get("quote") or x.get("text")
        if isinstance(x, str) and x.strip():
            out.append(x)
    return out


# --- the cache ----------------------------------------------------------------------------------


class AnswerCache:
    """One JSON file per answer: <cache>/<key>.json with the model's text (never the request)."""

    def __init__(self, root: str | Path | None):
        self.root = Path(root) if root else None

    def get(self, key: str) -> str | None:
        if self.root is None:
            return None
        try:
            raw = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            return raw["answer"] if raw.get("format") == CACHE_FORMAT and isinstance(raw.get("answer"), str) else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, settings: LLMSettings, content: str) -> None:
        if self.root is None:
            return
        from .manifest import write_atomic

        entry = {"format": CACHE_FORMAT, "model": settings.model, "prompt": PROMPT_VERSION,
                 "schema": SCHEMA_VERSION, "answer": content}
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(self.root / f"{key}.json",
                         (json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs another request next time


# --- the client ---------------------------------------------------------------------------------


def _with_deadline(fn: Callable[[], Any], seconds: float) -> Any:
    """fn() or ModelError after `seconds`, whatever the server does (a server that trickles bytes
    never trips a read timeout). The abandoned request ends by its own timeouts, in a daemon thread."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="tourmap-llm-request", daemon=True).start()
    if not done.wait(seconds):
        raise ModelError(f"no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


class Breaker:
    """Stops asking a service that failed for BREAKER_AFTER articles in a row (or cannot be asked at
    all): the rest of the batch falls back at once instead of waiting out every timeout."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures = 0
        self.problem: str | None = None
        self.since = 0.0
        self.forever = False  # nothing to retry: the key is missing

    @property
    def open(self) -> str | None:
        if self.problem and not self.forever and time.monotonic() - self.since > BREAKER_COOL_S:
            with self.lock:
                self.problem, self.failures = None, 0
        return self.problem

    def trip(self, problem: str, *, forever: bool = False) -> None:
        with self.lock:
            if not self.problem:
                self.problem, self.since = problem, time.monotonic()
            self.forever = self.forever or forever

    def failed(self, problem: str, *, at_once: bool = False) -> None:
        with self.lock:
            self.failures += 1
            trip = at_once or self.failures >= BREAKER_AFTER
        if trip:
            self.trip(problem)

    def ok(self) -> None:
        with self.lock:
            self.failures = 0


class ChatClient:
    """POST {base_url}/chat/completions, nothing else: no redirects followed, no proxy or netrc
    from the environment (they could send the request, or credentials, elsewhere)."""

    def __init__(self, settings: LLMSettings):
        self.settings = settings
        self.url = settings.base_url.rstrip("/") + "/chat/completions"
        self.breaker = Breaker()
        self._key: str | None = None
        self._http = None
        if settings.api_key_env:
            key = os.environ.get(settings.api_key_env, "")
            if not key.strip():
                self.breaker.trip(f"the environment variable {settings.api_key_env} (api_key_env) is not set",
                                  forever=True)
            self._key = key.strip() or None

    def _client(self):
        with _lock:
            return self._client_locked()

    def _client_locked(self):
        if self._http is None:
            try:
                import httpx
            except ImportError:
                raise ModelError("the llm extractor needs httpx: pip install 'tourmap[llm]'", retry=False) from None
            t = self.settings.timeout_s
            self._http = httpx.Client(timeout=httpx.Timeout(t, connect=min(t, 10.0)), follow_redirects=False,
                                      trust_env=False)
        return self._http

    def redact(self, text: str) -> str:
        """`text` without the key or any piece of it (a server may echo part of a wrong key)."""
        key = self._key
        if not key:
            return text
        if any(key[i:i + 6] in text for i in range(max(1, len(key) - 5))):
            return "(message withheld: it contained part of the key)"
        return text

    def _post(self, body: dict[str, Any]) -> str:
        http = self._client()  # ModelError when httpx is not installed
        import httpx

        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": f"tourmap/{__version__}"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        try:
            with http.stream("POST", self.url, json=body, headers=headers) as r:
                data = bytearray()
                for chunk in r.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER_BYTES:
                        raise ModelError(f"the reply is larger than {MAX_ANSWER_BYTES >> 20} MB")
                status = r.status_code
        except httpx.ConnectError as exc:
            raise ModelError(f"cannot connect to {self.settings.base_url} ({_first_line(exc) or 'refused'})") from None
        except httpx.TimeoutException:
            raise ModelError(f"no answer within {self.settings.timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise ModelError(f"{type(exc).__name__}: {self.redact(_first_line(exc))[:160]}") from None
        if status >= 300:
            why = _error_text(bytes(data))
            msg = f"HTTP {status}" + (f": {self.redact(why)[:160]}" if why else "")
            if 300 <= status < 400:
                raise ModelError(f"{msg} (a redirect; tourmap only talks to base_url)", retry=False)
            retry = status >= 500 or status in (408, 409, 429)
            raise ModelError(msg, retry=retry, service=status >= 500 or status in (401, 403, 404, 429))
        return _content(bytes(data))

    def ask(self, body: dict[str, Any], *, attempts: int, deadline_s: float) -> str:
        """The model's answer text, parsed and shape-checked, or ModelError after `attempts` tries."""
        problem: ModelError | None = None
        for attempt in range(attempts):
            if self.breaker.open:
                raise ModelError(f"not asked: {self.breaker.open}")
            if attempt:
                time.sleep(BACKOFF_S * 2 ** (attempt - 1))
            try:
                content = _with_deadline(lambda: self._post(body), deadline_s)
                parse_answer(content)
                self.breaker.ok()
                return content
            except ModelError as exc:
                problem = exc
                if not exc.retry:
                    break
        assert problem is not None
        if problem.service:
            self.breaker.failed(str(problem), at_once=not problem.retry)
        if attempts > 1 and problem.retry:
            raise ModelError(f"{problem} ({attempts} attempts)", service=problem.service)
        raise problem


def _first_line(exc: BaseException) -> str:
    s = str(exc)
    return s.splitlines()[0] if s else ""


def _error_text(data: bytes) -> str:
    try:
        obj = json.loads(data)
        err = obj.get("error") if isinstance(obj, dict) else None
        msg = err.get("message") if isinstance(err, dict) else err
        return " ".join(str(msg).split()) if msg else ""
    except (ValueError, AttributeError):
        return ""


def _content(data: bytes) -> str:
    """choices[0].message.content of a chat-completions reply."""
    try:
        obj = json.loads(data)
    except ValueError:
        raise ModelError("the reply is not JSON (not a chat-completions server?)", service=False) from None
    try:
        choice = obj["choices"][0]
        msg = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise ModelError("the reply has no choices[0].message (not a chat-completions server?)",
                         service=False) from None
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.strip():
        refusal = msg.get("refusal") if isinstance(msg, dict) else None
        raise ModelError("the model declined to answer" if refusal else "the reply's message is empty",
                         service=False)
    if choice.get("finish_reason") == "length":
        raise ModelError("the answer was cut short (finish_reason: length)", service=False)
    return content


# --- reading articles -----------------------------------------------------------------------------


@dataclass
class Reply:
    answer: dict[str, Any] | None  # the normalised answer, or None
    problem: str | None = None  # why there is none (one line)
    cached: bool = False


_clients: dict[tuple, ChatClient] = {}
_memo: dict[str, Reply] = {}  # this run's replies by cache key (forked workers inherit it)
_failed: set[str] = set()  # keys of the failures in _memo: each is used once
_lock = threading.Lock()


def client_for(settings: LLMSettings) -> ChatClient:
    key = (settings.base_url, settings.model, settings.api_key_env, settings.timeout_s)
    with _lock:
        if key not in _clients:
            _clients[key] = ChatClient(settings)
        return _clients[key]


def reset() -> None:
    """Forget this process's clients, breaker and replies (a new run in the same process)."""
    with _lock:
        _clients.clear()
        _memo.clear()
        _failed.clear()


def read(article: Article, settings: LLMSettings, *, refresh: bool = False, batch: bool = False) -> Reply:
    """The model's answer about `article`: from this run, the disk cache, or a request.

    A failure is remembered only for the batch being read (read_many), so the extraction that
    follows falls back without asking again; a later call asks again."""
    key = cache_key(article, settings)
    hit = _memo.get(key) if batch else _memo.pop(key, None) if key in _failed else _memo.get(key)
    if hit is not None:
        return hit
    cache = AnswerCache(settings.cache)
    if not refresh:
        content = cache.get(key)
        if content is not None:
            try:
                reply = Reply(parse_answer(content), cached=True)
                _memo[key] = reply
                return reply
            except ModelError:
                pass  # a damaged entry: ask again
    client = client_for(settings)
    try:
        content = client.ask(request_body(article, settings), attempts=settings.max_retries + 1,
                             deadline_s=settings.timeout_s)
    except ModelError as exc:
        reply = Reply(None, client.redact(str(exc)))
        if batch:
            _memo[key] = reply
            _failed.add(key)
        return reply
    cache.put(key, settings, content)
    reply = Reply(parse_answer(content))
    _memo[key] = reply
    return reply


def read_many(articles: Iterable[Article], settings: LLMSettings, *, refresh: bool = False,
              progress: Callable[[Iterator, int], Iterator] | None = None) -> list[Reply]:
    """read() for many articles, up to `max_concurrency` requests in flight; replies in order."""
    arts = list(articles)
    if not arts:
        return []
    workers = max(1, min(settings.max_concurrency, len(arts)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tourmap-llm") as pool:
        results = pool.map(lambda a: read(a, settings, refresh=refresh, batch=True), arts)
        if progress is not None:
            results = progress(results, len(arts))
        return list(results)
