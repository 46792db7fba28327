"""JSON over HTTP for endpoint queries: timeouts, bounded retries (honouring Retry-After), a rate limit,
a response size cap, and the dispute record — every attempt kept with hashes and timestamps.

The API key goes in a header only; it is redacted from everything recorded.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from licheck.errors import InputError

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is capped, so a run stays bounded
RETRIED_STATUS = (429, 500, 502, 503, 504)


class HttpStatusError(InputError):
    """The server answered with a non-retryable HTTP status (kept apart so callers can fall back)."""

    def __init__(self, message: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


@dataclass(frozen=True)
class CallRecord:
    """One attempt as the dispute record keeps it (the bodies themselves go to the record file)."""

    seq: int
    api: str
    url: str
    attempt: int
    sent_at: str  # UTC, ISO 8601 with microseconds
    received_at: str
    status: int | None  # HTTP status; None when no answer came
    request_sha256: str
    response_sha256: str | None
    error: str | None = None


@dataclass
class JsonClient:
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 2
    rate_limit: float = 0.0  # requests per second; 0: unlimited
    record: Path | None = None
    log: list[CallRecord] = field(default_factory=list)
    _last_sent: float = field(default=-1e18, repr=False)

    @property
    def calls(self) -> int:
        return len(self.log)

    def post(self, path: str, body: dict[str, Any], *, api: str) -> dict[str, Any]:
        """POST `body` as JSON to base_url + path; the decoded JSON object, or a typed error."""
        data = json.dumps(body).encode()
        url = self.base_url.rstrip("/") + path
        last = "no attempt"
        for attempt in range(self.retries + 1):
            status, raw, wait, last = self._attempt(url, data, api=api, attempt=attempt)
            if raw is not None:
                return self._decode(raw, url)
            time.sleep(min(wait if wait is not None else 0.2 * 2**attempt, MAX_RETRY_AFTER))
        raise InputError(f"{_where(url)}: {last} after {self.retries + 1} attempts",
                         hint="the endpoint is down or overloaded; retry later or lower --rate-limit")

    def _attempt(self, url: str, data: bytes, *, api: str,
                 attempt: int) -> tuple[int | None, bytes | None, float | None, str]:
        """One request: (status, body if usable, seconds to wait before a retry, what went wrong)."""
        self._pace()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        sent = _now()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers),
                                        timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
                status = response.status
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_RESPONSE_BYTES) if exc.fp else b""
            self._keep(api, url, attempt, sent, exc.code, data, body, f"HTTP {exc.code}")
            if exc.code not in RETRIED_STATUS:
                raise HttpStatusError(f"{_where(url)}: HTTP {exc.code}", status=exc.code,
                                      hint="check the URL, model name and key") from exc
            return exc.code, None, _retry_after(exc.headers.get("Retry-After")), f"HTTP {exc.code}"
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            what = "timed out" if "timed out" in str(exc) else f"connection failed ({type(exc).__name__})"
            self._keep(api, url, attempt, sent, None, data, None, what)
            return None, None, None, what
        self._keep(api, url, attempt, sent, status, data, raw, None)
        if len(raw) > MAX_RESPONSE_BYTES:
            raise InputError(f"{_where(url)}: response larger than {MAX_RESPONSE_BYTES} bytes")
        return status, raw, None, ""

    def _pace(self) -> None:
        """Hold requests to the rate limit (monotonic clock)."""
        if self.rate_limit > 0:
            wait = self._last_sent + 1.0 / self.rate_limit - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last_sent = time.monotonic()

    def _decode(self, raw: bytes, url: str) -> dict[str, Any]:
        try:
            reply = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{_where(url)}: the endpoint answered something that is not JSON") from exc
        if not isinstance(reply, dict):
            raise InputError(f"{_where(url)}: the endpoint answered a JSON {type(reply).__name__}")
        return reply

    def _keep(self, api: str, url: str, attempt: int, sent: str, status: int | None, request: bytes,
              response: bytes | None, error: str | None) -> None:
        entry = CallRecord(seq=len(self.log) + 1, api=api, url=_where(url), attempt=attempt, sent_at=sent,
                           received_at=_now(), status=status, request_sha256=_sha256(request),
                           response_sha256=None if response is None else _sha256(response), error=error)
        self.log.append(entry)
        if self.record is None:
            return
        text = None if response is None else response.decode("utf-8", errors="replace")
        if text is not None and self.api_key:
            text = text.replace(self.api_key, "[REDACTED]")
        line = asdict(entry) | {"request": json.loads(request), "response": text}
        with self.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form only), capped."""
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER)) if value else None
    except ValueError:
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _where(url: str) -> str:
    return url.split("?")[0]
