"""Programs written from one task by many hands: the same job, each author's own choices and names.

Used where a test needs many *independent* lineages (an index's null needs dozens): what differs between two
programs is what differs between independent authors — loop form, test, accumulation, input and output, names.
"""

from __future__ import annotations

import random
from pathlib import Path

_NAMES = ["values", "nums", "data", "items", "xs", "arr", "numbers", "seq", "vals", "lst", "elems", "inputs",
          "total", "acc", "s", "result", "answer", "evens", "count", "n", "k", "cnt", "tally", "hits", "x", "v",
          "item", "num", "e", "el", "i", "j", "idx", "pos", "line", "raw", "text", "parts", "tokens"]


def task_program(seed: int) -> str:
    """Sum and count the even numbers read from one input line, in one author's way."""
    rng = random.Random(seed)
    seq, total, count, item, idx = rng.sample(_NAMES, 5)
    read = rng.choice([
        f"{seq} = list(map(int, input().split()))",
        f"{seq} = [int(t) for t in input().split()]",
        f"import sys\n{seq} = [int(t) for t in sys.stdin.readline().split()]",
    ])
    even = rng.choice([f"{item} % 2 == 0", f"not {item} % 2", f"{item} & 1 == 0"])
    loop = rng.choice(["for", "while", "sum"])
    if loop == "for":
        body = (f"{total} = 0\n{count} = 0\nfor {item} in {seq}:\n    if {even}:\n"
                f"        {total} += {item}\n        {count} += 1")
    elif loop == "while":
        body = (f"{total} = {count} = 0\n{idx} = 0\nwhile {idx} < len({seq}):\n    {item} = {seq}[{idx}]\n"
                f"    if {even}:\n        {total} = {total} + {item}\n        {count} = {count} + 1\n    {idx} += 1")
    else:
        body = (f"picked = [{item} for {item} in {seq} if {even}]\n{total} = sum(picked)\n"
                f"{count} = len(picked)")
    show = rng.choice([f"print({total}, {count})", f"print(f\"{{{total}}} {{{count}}}\")",
                       f"print({total})\nprint({count})"])
    code = f"{read}\n{body}\n{show}\n"
    if rng.random() < 0.5:  # some authors wrap it in a function
        inner = "\n".join("    " + line if line else line for line in code.splitlines())
        code = f"def main():\n{inner}\n\n\nif __name__ == \"__main__\":\n    main()\n"
    return code


def write_task_projects(root: Path, seeds: range) -> list[tuple[Path, str, str]]:
    """One project (folder, name, license) per author, each holding its program."""
    projects = []
    for seed in seeds:
        folder = root / f"author{seed}"
        folder.mkdir(parents=True)
        (folder / "solution.py").write_text(task_program(seed))
        projects.append((folder, f"author-{seed}", "GPL-3.0-only"))
    return projects
