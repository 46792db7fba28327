"""A real OpenAI-compatible server over a tiny local model (stdlib http.server, 127.0.0.1): /v1/completions
and /v1/chat/completions (top_logprobs <= 20, as OpenAI's), either or both."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from licheck.fingerprint.inputs.vocab import load_vocabulary, token_bytes


@dataclass
class ServerMode:
    honour_bias: bool = True  # False: logprobs reported from before the bias is applied
    garbage: bool = False
    delay: float = 0.0
    api_key: str | None = None
    shapes: tuple[str, ...] = ("chat", "completions")  # the routes served; others answer 404
    fail_first: int = 0  # answer the first n requests with 503 (Retry-After: retry_after)
    retry_after: str | None = None


class ModelServer:
    def __init__(self, model_dir: Path, mode: ServerMode) -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM

        self.torch = torch
        self.model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        vocab = load_vocabulary(model_dir)
        self.raw = [token_bytes(t, byte_level=True) or b"" for t in vocab.tokens]
        self.names = [self._name(raw) for raw in self.raw]
        self.mode = mode
        self.requests: list[dict] = []
        self.headers: list[str] = []
        self._cache: dict[str, np.ndarray] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def _name(raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "bytes:" + "".join(f"\\x{b:02x}" for b in raw)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ModelServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def logits(self, prompt: str) -> np.ndarray:
        if prompt not in self._cache:
            ids = self.tokenizer.encode(prompt).ids or [0]
            with self.torch.no_grad():
                out = self.model(input_ids=self.torch.tensor([ids])).logits[0, -1]
            self._cache[prompt] = out.numpy().astype(np.float64)
        return self._cache[prompt]

    def chat_prompt(self, body: dict) -> str:
        """A plain chat template: the prompt the model continues."""
        turns = "".join(f"{m['role']}: {m['content']}\n" for m in body["messages"])
        return turns + "assistant:"

    def answer(self, body: dict, shape: str) -> dict:
        prompt = self.chat_prompt(body) if shape == "chat" else str(body["prompt"])
        logprobs, top, chosen = self._next_token(body, prompt, k=int(body.get("top_logprobs" if shape == "chat"
                                                                             else "logprobs") or 1))
        if shape == "chat":
            entry = [{"token": self.names[int(i)], "logprob": float(logprobs[int(i)]),
                      "bytes": list(self.raw[int(i)])} for i in top]
            return {"id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"), "choices": [
                {"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": self.names[chosen]},
                 "logprobs": {"content": [{"token": self.names[chosen], "logprob": float(logprobs[chosen]),
                                           "bytes": list(self.raw[chosen]), "top_logprobs": entry}]}}]}
        return {"id": "cmpl-test", "object": "text_completion", "model": body.get("model"), "choices": [
            {"index": 0, "text": self.names[chosen], "finish_reason": "length", "logprobs": {
                "tokens": [self.names[chosen]], "token_logprobs": [float(logprobs[chosen])],
                "top_logprobs": [{self.names[int(i)]: float(logprobs[int(i)]) for i in top}]}}]}

    def _next_token(self, body: dict, prompt: str, *, k: int) -> tuple[np.ndarray, np.ndarray, int]:
        logits = self.logits(prompt)
        bias = np.zeros_like(logits)
        for key, value in (body.get("logit_bias") or {}).items():
            bias[int(key)] = float(value)
        shown = logits + bias if self.mode.honour_bias else logits
        logprobs = shown - shown.max() - np.log(np.exp(shown - shown.max()).sum())
        top = np.argsort(-(logits + bias))[:k] if self.mode.honour_bias else np.argsort(-logprobs)[:k]
        return logprobs, top, int(np.argmax(logits + bias))

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                shape = {"/v1/chat/completions": "chat", "/v1/completions": "completions"}.get(self.path)
                server.requests.append(body | {"_shape": shape})
                server.headers.append(self.headers.get("Authorization", ""))
                if shape not in server.mode.shapes:
                    self._send(404, b'{"error": "not found"}')
                    return
                if len(server.requests) <= server.mode.fail_first:
                    self._send(503, b'{"error": "overloaded"}', retry_after=server.mode.retry_after)
                    return
                if shape == "chat" and int(body.get("top_logprobs") or 0) > 20:
                    self._send(400, b'{"error": "top_logprobs must be <= 20"}')
                    return
                if server.mode.api_key and self.headers.get("Authorization") != f"Bearer {server.mode.api_key}":
                    self._send(401, b'{"error": "unauthorized"}')
                    return
                if server.mode.delay:
                    time.sleep(server.mode.delay)
                if server.mode.garbage:
                    self._send(200, b"<html>teapot</html>")
                    return
                self._send(200, json.dumps(server.answer(body, shape)).encode())

            def _send(self, code: int, payload: bytes, retry_after: str | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
