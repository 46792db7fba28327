"""An OpenAI-compatible endpoint as a TopKSource, in either shape: `/chat/completions` (logprobs +
top_logprobs <= 20, as OpenAI, vLLM and llama.cpp serve them) or legacy `/completions` (logprobs = k).
`auto` tries chat first and falls back to completions when the server lacks it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.errors import InputError, UsageError
from licheck.fingerprint.inputs.http_client import HttpStatusError, JsonClient
from licheck.fingerprint.inputs.vocab import TokenMap

APIS = ("chat", "completions", "auto")
CHAT_MAX_TOP_LOGPROBS = 20  # OpenAI's limit on top_logprobs in chat completions
# statuses that mean "this server has no such route or rejects the shape": try the other one
_FALLBACK_STATUS = (400, 404, 405, 422, 501)


@dataclass(frozen=True)
class EndpointConfig:
    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 2
    top_k: int = 20
    api: str = "auto"
    rate_limit: float = 0.0  # requests per second; 0: unlimited


class EndpointSource:
    """Top-k logprobs of the next token after each prompt."""

    def __init__(self, config: EndpointConfig, prompts: tuple[str, ...], token_map: TokenMap, *, vocab_size: int,
                 record: Path | None = None) -> None:
        if not config.url.startswith(("http://", "https://")):
            raise UsageError(f"endpoint URL must be http(s): {config.url!r}")
        if config.api not in APIS:
            raise UsageError(f"--api must be one of {', '.join(APIS)}, got {config.api!r}")
        if config.api == "chat" and config.top_k > CHAT_MAX_TOP_LOGPROBS:
            raise UsageError(f"chat completions return at most {CHAT_MAX_TOP_LOGPROBS} top_logprobs, "
                             f"--top-k is {config.top_k}")
        self.config = config
        self.prompts = prompts
        self.token_map = token_map
        self.vocab_size = vocab_size
        self.api: str | None = None if config.api == "auto" else config.api
        self.top_k = self._k(self.api or "completions")
        self.client = JsonClient(config.url, api_key=config.api_key, timeout=config.timeout, retries=config.retries,
                                 rate_limit=config.rate_limit, record=record)
        self.mapped = 0
        self.unmapped = 0
        self.notes: list[str] = []

    @property
    def calls(self) -> int:
        return self.client.calls

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        if self.api is None:
            return self._detect(position, logit_bias)
        return self._ask(self.api, position, logit_bias)

    def _detect(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        """auto: chat completions if the server answers them with logprobs, else legacy completions."""
        try:
            out = self._ask("chat", position, logit_bias)
            self._settle("chat", "chat completions answered with top_logprobs")
            return out
        except (HttpStatusError, _ShapeError) as exc:
            if isinstance(exc, HttpStatusError) and exc.status not in _FALLBACK_STATUS:
                raise
            why = str(exc).split(": ", 1)[-1]
        out = self._ask("completions", position, logit_bias)
        self._settle("completions", f"chat completions unusable ({why}); legacy completions used")
        return out

    def _settle(self, api: str, note: str) -> None:
        self.api = api
        self.top_k = self._k(api)
        self.notes.append(f"endpoint API: {note}")

    def _k(self, api: str) -> int:
        k = self.config.top_k
        return min(k, CHAT_MAX_TOP_LOGPROBS) if api == "chat" else k

    def _ask(self, api: str, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        k = self._k(api)
        prompt = self.prompts[position]
        body: dict[str, Any] = {"model": self.config.model, "max_tokens": 1, "temperature": 0}
        if api == "chat":
            body |= {"messages": [{"role": "user", "content": prompt}], "logprobs": True, "top_logprobs": k}
        else:
            body |= {"prompt": prompt, "logprobs": k}
        if logit_bias:
            body["logit_bias"] = {str(t): float(v) for t, v in logit_bias.items()}
        path = "/chat/completions" if api == "chat" else "/completions"
        reply = self.client.post(path, body, api=api)
        items = _chat_items(reply) if api == "chat" else _completion_items(reply)
        if items is None:
            raise _ShapeError(f"{self._where()}{path}: the endpoint answered without {api} top_logprobs")
        return self._map(items)

    def _map(self, items: list[tuple[str, list[int] | None, float]]) -> dict[int, float]:
        out: dict[int, float] = {}
        for token, raw, logprob in items:
            idx = self.token_map.lookup(token, raw)
            if idx is None:
                self.unmapped += 1
                continue
            if logprob != logprob or logprob in (float("inf"), float("-inf")):
                raise InputError(f"{self._where()}: the endpoint returned a non-finite logprob")
            self.mapped += 1
            out[idx] = logprob
        return out

    def _where(self) -> str:
        return self.config.url.split("?")[0]


class _ShapeError(InputError):
    """A 200 answer without the logprobs this shape promises."""


def _chat_items(reply: dict) -> list[tuple[str, list[int] | None, float]] | None:
    """choices[0].logprobs.content[0].top_logprobs: [{token, logprob, bytes}]."""
    try:
        top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        return [(str(e["token"]), _byte_list(e.get("bytes")), float(e["logprob"])) for e in top]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _completion_items(reply: dict) -> list[tuple[str, list[int] | None, float]] | None:
    """choices[0].logprobs.top_logprobs[0]: {token: logprob}."""
    try:
        top = reply["choices"][0]["logprobs"]["top_logprobs"][0]
        return [(str(tok), None, float(lp)) for tok, lp in top.items()]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None


def _byte_list(value: object) -> list[int] | None:
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return value
    return None
