"""An OpenAI-compatible completions endpoint as a TopKSource: timeouts, bounded retries, size limits,
and a dispute record of every request and response (with hashes). The API key is never written."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from licheck.errors import InputError, UsageError
from licheck.fingerprint.inputs.vocab import TokenMap

MAX_RESPONSE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class EndpointConfig:
    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 2
    top_k: int = 20


class EndpointSource:
    """Top-k logprobs of the next token after each prompt, through /completions."""

    def __init__(self, config: EndpointConfig, prompts: tuple[str, ...], token_map: TokenMap, *, vocab_size: int,
                 record: Path | None = None) -> None:
        if not config.url.startswith(("http://", "https://")):
            raise UsageError(f"endpoint URL must be http(s): {config.url!r}")
        self.config = config
        self.prompts = prompts
        self.token_map = token_map
        self.vocab_size = vocab_size
        self.top_k = config.top_k
        self.record = record
        self.calls = 0
        self.mapped = 0
        self.unmapped = 0

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        body = {"model": self.config.model, "prompt": self.prompts[position], "max_tokens": 1, "temperature": 0,
                "logprobs": self.config.top_k}
        if logit_bias:
            body["logit_bias"] = {str(k): float(v) for k, v in logit_bias.items()}
        reply = self._post(body)
        try:
            top = reply["choices"][0]["logprobs"]["top_logprobs"][0]
            items = [(str(tok), float(lp)) for tok, lp in top.items()]
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{self._where()}: the endpoint answered without completions top_logprobs "
                             f"({type(exc).__name__})") from exc
        out: dict[int, float] = {}
        for token, logprob in items:
            idx = self.token_map.lookup(token)
            if idx is None:
                self.unmapped += 1
                continue
            if logprob != logprob or logprob in (float("inf"), float("-inf")):
                raise InputError(f"{self._where()}: the endpoint returned a non-finite logprob")
            self.mapped += 1
            out[idx] = logprob
        return out

    def _post(self, body: dict) -> dict:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(self.config.url.rstrip("/") + "/completions", data=data, headers=headers)
        last = "no attempt"
        for attempt in range(self.config.retries + 1):
            self.calls += 1
            try:
                with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                    raw = response.read(MAX_RESPONSE_BYTES + 1)
                if len(raw) > MAX_RESPONSE_BYTES:
                    raise InputError(f"{self._where()}: response larger than {MAX_RESPONSE_BYTES} bytes")
                self._write_record(data, raw)
                try:
                    reply = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise InputError(f"{self._where()}: the endpoint answered something that is not JSON") from exc
                if not isinstance(reply, dict):
                    raise InputError(f"{self._where()}: the endpoint answered a JSON {type(reply).__name__}")
                return reply
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    raise InputError(f"{self._where()}: {last}", hint="check the URL, model name and key") from exc
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                last = "timed out" if "timed out" in str(exc) else f"connection failed ({type(exc).__name__})"
            time.sleep(min(0.2 * 2**attempt, 2.0))
        raise InputError(f"{self._where()}: {last} after {self.config.retries + 1} attempts")

    def _write_record(self, request: bytes, response: bytes) -> None:
        if self.record is None:
            return
        text = response.decode("utf-8", errors="replace")
        if self.config.api_key:
            text = text.replace(self.config.api_key, "[REDACTED]")
        entry = {"url": self._where(), "request_sha256": hashlib.sha256(request).hexdigest(),
                 "response_sha256": hashlib.sha256(response).hexdigest(), "request": json.loads(request),
                 "response": text}
        with self.record.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")

    def _where(self) -> str:
        return self.config.url.split("?")[0]
