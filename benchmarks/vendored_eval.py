"""Issue 9, vendored code: real packages that vendor others, plus the upstream packages themselves.

usage: python benchmarks/vendored_eval.py [--cache ~/.cache/licheck-eval] [--seed 1] [--n 400] [--rebuild]
                                          [--grown] [--jobs 2] [--json FILE]

Index: VENDORERS (pip, setuptools, pipenv, poetry-core, pdm-backend, flit-core, ansible-core: each one source,
its `_vendor/`, `vendor/`, `patched/` trees included) and UPSTREAMS (the vendored packages at the versions their
`vendor.txt` / `*.dist-info` name, or the nearest one on PyPI), fetched at run time; unpacked trees cached under
<cache>/trees, the index under <cache>/vendored/index.sqlite (rebuilt when refused by this licheck or --rebuild).

Ground truth: every Python function (>= 8 lines once unparsed, <= 80) of every indexed source, keyed by its
AST without docstrings (formatting and comments do not count). A key held by >= 3 sources whose non-vendored
copies (path without a vendor folder) all belong to ONE source is a query candidate: that source is the
upstream (the origin to name), the sources holding the key are the holders. Candidates are drawn round-robin
over upstream packages (seeded) up to --n, then renamed + edited by this file's own seeded transformation:
every parameter, local and the function name renamed; one statement inserted, one deleted, two adjacent ones
swapped, one literal changed. Query i is <cache>/vendored/queries-s<seed>/<i>.py.

Split: a seeded hash of the function key puts each query in the tuning or the reporting half; both printed.

Scores: striking (any striking finding in the query file); origin = upstream, read from the best striking
finding's `origin` when the report has one, else from `source.name` (today's reports: the column says which);
every holder listed (truth holders ⊆ names in the finding's `holders`; "n/a" while findings have no `holders`).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import hashlib
import json
import keyword
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalkit import (
    DEFAULT_CACHE,
    cached_index,
    code_identity,
    copy_index,
    fast_writes,
    fetch_many,
    holder_names,
    load_average,
    log,
    now_utc,
    origin_name,
    pct,
    scan_paths,
)

from licheck.indexer import Analyzer, add_source
from licheck.store.index_db import IndexDB

VENDORERS = ["pypi:pip==26.3", "pypi:setuptools==84.2.1", "pypi:pipenv==2026.10.3", "pypi:poetry-core==2.5.0",
             "pypi:pdm-backend==2.5.0", "pypi:flit-core==4.2.0", "pypi:ansible-core==2.19.14"]
UPSTREAMS = [
    # pip/_vendor/vendor.txt (pip 26.3); certifi 2026.10.23 is not on PyPI: 2026.10.18
    "pypi:cachecontrol==0.14.4", "pypi:distlib==0.4.4", "pypi:distro==1.9.0", "pypi:msgpack==1.2.4",
    "pypi:packaging==26.3", "pypi:platformdirs==4.12.4", "pypi:pyproject-hooks==1.3.3", "pypi:requests==2.34.2",
    "pypi:certifi==2026.10.18", "pypi:idna==3.20", "pypi:urllib3==2.8.0", "pypi:rich==15.0.0",
    "pypi:pygments==2.21.0", "pypi:resolvelib==1.2.1", "pypi:tomli==2.4.1", "pypi:tomli-w==1.2.0",
    "pypi:truststore==0.10.5",
    # setuptools/_vendor/*.dist-info
    "pypi:autocommand==2.2.2", "pypi:backports.tarfile==1.2.0", "pypi:importlib-metadata==8.7.1",
    "pypi:jaraco.text==4.0.0", "pypi:jaraco.context==6.1.0", "pypi:jaraco.functools==4.4.0",
    "pypi:more-itertools==10.8.0", "pypi:wheel==0.46.3", "pypi:zipp==3.23.0",
    # poetry-core and pdm-backend vendor.txt
    "pypi:fastjsonschema==2.22.2", "pypi:lark==1.3.1", "pypi:pyproject-metadata==0.12.1", "pypi:editables==0.6",
    # pipenv/vendor/vendor.txt
    "pypi:build==1.6.1", "pypi:pexpect==4.9.0", "pypi:pipdeptree==3.1.0", "pypi:plette==2.4.0",
    "pypi:ptyprocess==0.7.0", "pypi:python-dotenv==1.2.4", "pypi:pythonfinder==3.0.4", "pypi:shellingham==1.5.4",
    "pypi:tomlkit==0.15.0",
    # ansible-core's module_utils/six
    "pypi:six==1.17.0",
]
VENDOR_DIRS = {"_vendor", "vendor", "vendored", "_vendored", "third_party", "thirdparty", "patched", "extern",
               "externals", "_extern", "node_modules"}
MIN_LINES, MAX_LINES = 8, 80


# ------------------------------------------------------------------------------------------------ index
def build_index(cache: Path, path: Path, jobs: int) -> dict:
    trees, failed = fetch_many(VENDORERS + UPSTREAMS, cache)
    with IndexDB.open_for_write(path) as db, Analyzer(db.params, jobs=jobs) as analyzer:
        fast_writes(db)
        for t in trees:
            res = add_source(db, t.source_spec(), analyzer=analyzer)
            log(f"  vendored {t.spec:36} {res.files:5} files {res.units:6} units")
        units, sources = db.unit_count(), len(db.list_sources())
    return {"units": units, "sources": sources, "failed": failed,
            "trees": {t.name: str(t.root) for t in trees}}


# ------------------------------------------------------------------------------------------------ ground truth
class _StripDocstrings(ast.NodeTransformer):
    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
        return node


def functions_of(name: str, root: Path):
    """(key, relpath, vendored, unparsed source without docstrings) per function of every .py under root."""
    for dp, dn, fns in os.walk(root):
        dn.sort()
        for fn in sorted(fns):
            if not fn.endswith(".py"):
                continue
            p = Path(dp) / fn
            try:
                tree = ast.parse(p.read_bytes())
            except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError):
                continue
            rel = p.relative_to(root).as_posix()
            vendored = any(part in VENDOR_DIRS for part in rel.split("/")[:-1])
            for node in ast.walk(tree):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                try:
                    clean = _StripDocstrings().visit(ast.parse(ast.unparse(node)))
                    text = ast.unparse(clean)
                except (SyntaxError, ValueError, RecursionError):
                    continue
                n = text.count("\n") + 1
                if not MIN_LINES <= n <= MAX_LINES:
                    continue
                key = hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
                yield key, rel, vendored, text, node.lineno


def candidates(trees: dict[str, str]) -> list[dict]:
    holders: dict[str, dict] = {}
    for name, root in sorted(trees.items()):
        for key, rel, vendored, text, line in functions_of(name, Path(root)):
            g = holders.setdefault(key, {"key": key, "text": text, "holders": {}, "upstream": set()})
            g["holders"].setdefault(name, f"{rel}:{line}")
            if not vendored:
                g["upstream"].add(name)
    out = []
    for g in holders.values():
        if len(g["holders"]) >= 3 and len(g["upstream"]) == 1:
            out.append({"key": g["key"], "text": g["text"], "holders": g["holders"], "upstream": g["upstream"].pop()})
    return sorted(out, key=lambda g: g["key"])


# ------------------------------------------------------------------------------------------------ transformation
WORDS = ["amber", "basil", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper", "kelp",
         "lumen", "maple", "nectar", "onyx", "pebble", "quartz", "russet", "sable", "tundra", "umber", "velvet",
         "willow", "yarrow", "zephyr"]


class _Renamer(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.m = mapping

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.m:
            node.id = self.m[node.id]
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        if node.arg in self.m:
            node.arg = self.m[node.arg]
        self.generic_visit(node)
        return node

    def visit_FunctionDef(self, node: ast.AST) -> ast.AST:
        if node.name in self.m:
            node.name = self.m[node.name]
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        if node.name in self.m:
            node.name = self.m[node.name]
        self.generic_visit(node)
        return node


def _locals(fn: ast.AST) -> list[str]:
    names: list[str] = [fn.name]
    for node in ast.walk(fn):
        if isinstance(node, ast.arg) and node.arg not in ("self", "cls"):
            names.append(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not fn:
            names.append(node.name)
    glob = {n for node in ast.walk(fn) if isinstance(node, (ast.Global, ast.Nonlocal)) for n in node.names}
    seen, out = set(), []
    for n in names:
        if n not in seen and n not in glob and not keyword.iskeyword(n) and not hasattr(builtins, n) and n != "_":
            seen.add(n)
            out.append(n)
    return out


def _blocks(fn: ast.AST) -> list[list[ast.stmt]]:
    out = []
    for node in ast.walk(fn):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                out.append(block)
    return out


def transform(text: str, seed: int, key: str) -> str:
    """Renamed + edited copy of a function (deterministic in seed and key)."""
    rng = random.Random(f"vendored:{seed}:{key}")
    fn = ast.parse(text).body[0]
    names = _locals(fn)
    words = WORDS[:]
    rng.shuffle(words)
    mapping = {n: f"{words[i % len(words)]}_{i}" if i >= len(words) else f"{words[i]}_{n[:1].lower() or 'v'}"
               for i, n in enumerate(names)}
    fn = _Renamer(mapping).visit(fn)
    # 1 literal changed
    consts = [n for n in ast.walk(fn) if isinstance(n, ast.Constant) and isinstance(n.value, (str, int))
              and not isinstance(n.value, bool)]
    if consts:
        c = rng.choice(consts)
        c.value = (c.value + "_x") if isinstance(c.value, str) else c.value + 1
    blocks = _blocks(fn)
    # 1 deletion, from a block that keeps >= 1 statement
    big = [b for b in blocks if len(b) >= 2]
    if big:
        b = rng.choice(big)
        del b[rng.randrange(len(b))]
    # 1 swap of adjacent simple statements
    pairs = [(b, i) for b in _blocks(fn) for i in range(len(b) - 1)
             if isinstance(b[i], (ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign))
             and isinstance(b[i + 1], (ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign))]
    if pairs:
        b, i = rng.choice(pairs)
        b[i], b[i + 1] = b[i + 1], b[i]
    # 1 insertion: a harmless statement naming a renamed local
    local = rng.choice([v for v in mapping.values()][1:] or ["None"])
    template = rng.choice(["_checked = {v} is not None", "if {v} is None:\n    pass", "_trace = repr({v})[:40]",
                           "assert {v} is not Ellipsis"])
    stmt = ast.parse(template.format(v=local)).body[0]
    b = rng.choice(_blocks(fn))
    b.insert(rng.randrange(len(b) + 1), stmt)
    return ast.unparse(ast.fix_missing_locations(fn)) + "\n"


def make_queries(cands: list[dict], out: Path, seed: int, n: int) -> list[dict]:
    by_up: dict[str, list[dict]] = defaultdict(list)
    for c in cands:
        by_up[c["upstream"]].append(c)
    rng = random.Random(f"vendored-sample:{seed}")
    ups = sorted(by_up)
    rng.shuffle(ups)
    for u in ups:
        rng.shuffle(by_up[u])
    chosen: list[dict] = []
    while len(chosen) < n and any(by_up.values()):
        for u in ups:
            if by_up[u] and len(chosen) < n:
                chosen.append(by_up[u].pop())
    out.mkdir(parents=True, exist_ok=True)
    for f in out.glob("*.py"):
        f.unlink()
    queries = []
    for i, c in enumerate(chosen):
        try:
            code = transform(c["text"], seed, c["key"])
        except Exception as exc:  # noqa: BLE001 - a function the transformation cannot handle is left out
            log(f"  skipped {c['key']}: {type(exc).__name__}: {exc}")
            continue
        path = out / f"{i:04d}.py"
        path.write_text(code)
        half = "tune" if hashlib.blake2b(f"split:{seed}:{c['key']}".encode(), digest_size=4).digest()[0] % 2 == 0 \
            else "report"
        queries.append({"path": str(path), "key": c["key"], "upstream": c["upstream"], "holders": c["holders"],
                        "half": half})
    (out / "truth.json").write_text(json.dumps(queries, indent=1))
    return queries


# ------------------------------------------------------------------------------------------------ scoring
def score(queries: list[dict], recs: list[dict]) -> dict:
    halves: dict[str, Counter] = {"tune": Counter(), "report": Counter(), "all": Counter()}
    origin_fields: Counter = Counter()
    wrong_origin: Counter = Counter()
    for q, rec in zip(queries, recs, strict=True):
        strik = [f for f in rec["findings"] if f["striking"]]
        for h in (q["half"], "all"):
            c = halves[h]
            c["n"] += 1
            c["striking"] += bool(strik)
            c["any"] += bool(rec["findings"])
        if not strik:
            continue
        best = max(strik, key=lambda f: f.get("matched_tokens", 0))
        name, field = origin_name(best)
        origin_fields[field] += 1
        names = holder_names(best)
        for h in (q["half"], "all"):
            c = halves[h]
            c["origin_ok"] += name == q["upstream"]
            if names is not None:
                c["has_holders"] += 1
                c["all_holders"] += set(q["holders"]) <= names
        if name != q["upstream"]:
            wrong_origin[f"{name} instead of {q['upstream']}"] += 1
    return {"halves": {k: dict(v) for k, v in halves.items()}, "origin_field": dict(origin_fields),
            "wrong_origin_top": wrong_origin.most_common(8)}


def text_of(res: dict, half: str = "report") -> str:
    c = Counter(res["halves"][half])
    field = "/".join(sorted(res["origin_field"])) or "–"
    holders = pct(c["all_holders"], c["n"]) if c["has_holders"] else "n/a (no `holders` field)"
    return (f"striking {pct(c['striking'], c['n'])}; upstream named as origin {pct(c['origin_ok'], c['n'])} "
            f"(read from `{field}`); every holder listed {holders}  [n={c['n']}; of the {c['striking']} striking: "
            f"origin right {c['origin_ok']}, every holder {c['all_holders']}]")


def run(cache: Path, *, seed: int = 1, n: int = 400, rebuild: bool = False, jobs: int = 2,
        grown_from: Path | None = None) -> dict:
    work = cache / "vendored"
    work.mkdir(parents=True, exist_ok=True)
    index = work / "index.sqlite"
    facts = cached_index(index, lambda p: build_index(cache, p, jobs), rebuild=rebuild)
    t0 = time.perf_counter()
    cand_file = work / "candidates.json"
    stamp = hashlib.blake2b(json.dumps([VENDORERS, UPSTREAMS, MIN_LINES, MAX_LINES, sorted(VENDOR_DIRS), 2])
                            .encode(), digest_size=8).hexdigest()
    if cand_file.exists() and json.loads(cand_file.read_text()).get("stamp") == stamp:
        cands = json.loads(cand_file.read_text())["candidates"]
    else:
        cands = candidates(facts["trees"])
        cand_file.write_text(json.dumps({"stamp": stamp, "candidates": cands}))
    queries = make_queries(cands, work / f"queries-s{seed}", seed, n)
    truth_s = time.perf_counter() - t0
    scan_index = index
    if grown_from is not None:
        scan_index = work / "index-grown.sqlite"
        copy_index(grown_from, scan_index)
        with IndexDB.open_for_write(scan_index) as db, Analyzer(db.params, jobs=jobs) as analyzer:
            fast_writes(db)
            from evalkit import fetch_tree
            for spec in VENDORERS + UPSTREAMS:
                try:
                    add_source(db, fetch_tree(spec, cache).source_spec(), analyzer=analyzer)
                except Exception as exc:  # noqa: BLE001
                    log(f"  {spec}: {exc}")
    t0 = time.perf_counter()
    recs = scan_paths(scan_index, [q["path"] for q in queries], jobs)
    scan_s = time.perf_counter() - t0
    with IndexDB.open_readonly(scan_index) as db:
        units = db.unit_count()
    res = score(queries, recs)
    res.update({"candidates": len(cands), "queries": len(queries), "index_units": units,
                "index_sources": facts["sources"], "index_build_s": facts["build_s"], "index_cached": facts["cached"],
                "fetch_failed": facts.get("failed"), "truth_s": truth_s, "scan_s": scan_s,
                "upstreams_in_queries": dict(Counter(q["upstream"] for q in queries)),
                "holders_per_query": dict(Counter(len(q["holders"]) for q in queries))})
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--grown", action="store_true", help="also scan against the index grown by growth_eval's EXTRA")
    ap.add_argument("--reduced-growth", action="store_true", help="with --grown: growth_eval.EXTRA_REDUCED")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    res = run(args.cache, seed=args.seed, n=args.n, rebuild=args.rebuild, jobs=args.jobs)
    print(f"vendored, tuning half:    {text_of(res, 'tune')}")
    print(f"vendored, reporting half: {text_of(res, 'report')}")
    print(f"  {res['candidates']} candidate functions (>= 3 holders, one upstream), {res['queries']} queries; index "
          f"{res['index_units']} units / {res['index_sources']} sources (build {res['index_build_s']:.0f} s"
          f"{', cached' if res['index_cached'] else ''}); scan {res['scan_s']:.1f} s")
    print(f"  holders per query: {res['holders_per_query']}; wrong origin (top): {res['wrong_origin_top']}")
    out = {"base": res}
    if args.grown:
        from growth_eval import extra_index

        extra, _ = extra_index(args.cache, jobs=args.jobs, reduced=args.reduced_growth)
        g = run(args.cache, seed=args.seed, n=args.n, jobs=args.jobs, grown_from=extra)
        print(f"vendored (grown index, {g['index_units']} units), reporting half: {text_of(g, 'report')}")
        out["grown"] = g
    print(f"{now_utc()}, {code_identity()}, wall {time.perf_counter() - t0:.0f} s, load {load_average()}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
