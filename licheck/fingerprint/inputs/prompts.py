"""The default prompt set for querying a suspect: short English and Python snippets written for licheck."""

from __future__ import annotations

from pathlib import Path

from licheck.errors import InputError

DEFAULT_PROMPTS: tuple[str, ...] = (
    "def read_config(path):\n    with open(path) as handle:\n        return json.load(handle)\n",
    "The committee met on Tuesday to review the budget and agreed to postpone the vote.",
    "for index, value in enumerate(items):\n    if value is None:\n        continue\n    total += value\n",
    "class Queue:\n    def __init__(self):\n        self._items = []\n\n    def push(self, item):\n",
    "Rivers carry sediment from the mountains to the sea, slowly building wide deltas.",
    "import os\nimport sys\n\n\ndef main(argv=None):\n    args = parse_args(argv)\n    return run(args)\n",
    "try:\n    result = compute(x)\nexcept ValueError as exc:\n    log.warning('bad input: %s', exc)\n",
    "A small bakery on the corner sells bread every morning before the market opens.",
    "    def __repr__(self):\n        return f'{type(self).__name__}({self.name!r})'\n",
    "if __name__ == '__main__':\n    raise SystemExit(main())\n",
    "The library keeps old maps in a cool room, where the paper will not fade.",
    "    @property\n    def size(self) -> int:\n        return len(self._data)\n",
    "while queue:\n    node = queue.pop(0)\n    for child in node.children:\n        queue.append(child)\n",
    "Students compared the two experiments and wrote a short report on the results.",
    "    raise TypeError('expected a string, got %r' % (value,))\n",
    "with tempfile.TemporaryDirectory() as tmp:\n    path = os.path.join(tmp, 'data.txt')\n",
)


def load_prompts(path: Path | None) -> tuple[str, ...]:
    """Prompts from a file (one per line; `\\n` escapes allowed) or the built-in set."""
    if path is None:
        return DEFAULT_PROMPTS
    try:
        lines = [line.replace("\\n", "\n") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read prompts ({exc})") from exc
    if not lines:
        raise InputError(f"{path}: no prompts")
    return tuple(lines)
