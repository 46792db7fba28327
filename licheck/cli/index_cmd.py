"""`licheck index ...`: build and inspect indexes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from licheck.cli.common import err_console, index_option, out_console
from licheck.errors import EXIT_ERROR, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from licheck.indexer import AddResult
    from licheck.sources.manifest import SourceOutcome

_SPECS_HELP = ("A SOURCE is a folder, a file or an archive, or pypi:NAME==VERSION, npm:NAME@VERSION, "
               "deb:PACKAGE[=VERSION] or git:PATH_OR_URL@REV.")


def cache_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--cache", "cache_dir", type=click.Path(file_okay=False), envvar="LICHECK_CACHE",
                        help="Download cache (default: ~/.cache/licheck; also LICHECK_CACHE).")(func)


def jobs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
                        help="Worker processes (default: all cores).")(func)


@click.group()
def index() -> None:
    """Build and inspect an index of open-source code."""


@index.command("add", epilog=_SPECS_HELP)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@index_option(creates=True)
@click.option("--name", help="Source name (default: the package's or folder's name). Only with one SOURCE.")
@click.option("--version", "version", default="", help="Source version. Only with one SOURCE.")
@click.option("--license", "license_", help="SPDX expression for the source (default: detected).")
@click.option("--url", default="", help="Where the source came from (shown in findings).")
@jobs_option
@cache_option
def add_cmd(sources: tuple[str, ...], index_path: str, name: str | None, version: str, license_: str | None,
            url: str, jobs: int | None, cache_dir: str | None) -> None:
    """Index each SOURCE as one source: a local path or a registry package."""
    from dataclasses import replace

    from licheck.indexer import Analyzer, add_source
    from licheck.sources.cache import default_cache_dir
    from licheck.sources.fetch import download_source, unpack_source
    from licheck.sources.spec import parse_source_spec
    from licheck.store.index_db import IndexDB

    if len(sources) > 1 and (name or version):
        raise UsageError("--name and --version apply to one SOURCE; run `index add` once per source")
    refs = [parse_source_spec(raw) for raw in sources]  # every spec checked before anything is fetched
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    console = _console()
    with IndexDB.open_for_write(index_path) as db, Analyzer(db.params, jobs=jobs) as analyzer:
        for ref in refs:
            download = download_source(ref, cache)
            with tempfile.TemporaryDirectory(prefix="licheck-unpack-") as workdir:
                spec = unpack_source(download, Path(workdir))
                spec = replace(spec, name=name or spec.name, version=version or spec.version,
                               license=license_ or spec.license, url=url or spec.url,
                               license_info=None if license_ else spec.license_info)
                with _progress(console, ref.label) as (progress, _):
                    result = add_source(db, spec, progress=progress, analyzer=analyzer)
            _print_result(console, result)
        _derive(console, db, jobs=jobs)


@index.command("build")
@click.argument("manifest", metavar="MANIFEST")
@index_option(creates=True)
@jobs_option
@cache_option
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: this machine's cores. spark: Apache Spark (the distribution's spark extra, and Java "
                   "17+); writes a fresh index of the manifest's sources and swaps it in.")
@click.option("--master", default=None, metavar="URL",
              help="Spark master (default: local[*], or local[JOBS] with --jobs; under spark-submit, its master).")
@click.option("--work", default=None, metavar="DIR|URL", envvar="LICHECK_SPARK_WORK",
              help="Where a Spark build keeps its Parquet rows while it runs; on a cluster a URL every executor "
                   "reaches (hdfs://, s3a://). Default: a folder beside the index. Also LICHECK_SPARK_WORK.")
@click.option("--shards", type=click.IntRange(1, 256), default=None,
              help="Write a sharded index folder at --index with this many band shards (built as one file beside "
                   "it, FOLDER.sqlite, kept so a re-run resumes; then split, the folder swapped in atomically).")
def build_cmd(manifest: str, index_path: str, jobs: int | None, cache_dir: str | None, engine: str,
              master: str | None, work: str | None, shards: int | None) -> None:
    """Build an index from a TOML manifest of sources: a file, or the name of a shipped one (e.g. starter; see
    `licheck index manifests`).

    Re-running skips the sources already indexed at the same digest, so an interrupted build resumes.
    A source that cannot be fetched or unpacked safely is reported; the others are still indexed,
    and the command exits 2 at the end. With --engine spark a failed build leaves the previous index as it was.
    """
    from licheck.manifests import resolve_manifest
    from licheck.sources.cache import default_cache_dir
    from licheck.sources.manifest import build_from_manifest, load_manifest
    from licheck.store.index_db import IndexDB

    if (master is not None or work is not None) and engine != "spark":
        raise UsageError("--master and --work apply to --engine spark")
    loaded = load_manifest(resolve_manifest(manifest, cwd=Path.cwd()))
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    console = _console()
    folder = None
    if shards is not None:
        folder = Path(index_path)
        if folder.is_file():
            raise UsageError(f"{folder} is an index file; --shards writes a folder",
                             hint=f"shard the file instead: licheck index merge {folder} -o FOLDER --shards {shards}")
        index_path = str(folder.with_name(folder.name + ".sqlite"))
    if engine == "spark":
        _build_on_spark(console, loaded, Path(index_path), cache=cache, master=master or _local_master(jobs),
                        work=work)
        _split(console, index_path, folder, shards)
        return
    with IndexDB.open_for_write(index_path) as db, _progress(console, f"building {manifest}") as (progress, sources):
        report = build_from_manifest(db, loaded, cache=cache, jobs=jobs, progress=progress,
                                     on_source=lambda outcome, done, total: _print_outcome(console, outcome, done,
                                                                                           total, sources))
        _derive(console, db, jobs=jobs)
        units = db.unit_count()
    indexed, unchanged, failed = (report.count(s) for s in ("indexed", "unchanged", "failed"))
    console.print(f"{index_path}: {indexed} indexed, {unchanged} unchanged, {failed} failed; {units} units in all")
    _split(console, index_path, folder, shards)
    if failed:
        click.get_current_context().exit(EXIT_ERROR)


def _split(console: Console, index_path: str, folder: Path | None, shards: int | None) -> None:
    """With --shards: the built file, written out as the sharded folder (scans of the old folder go on)."""
    if folder is None or shards is None:
        return
    from licheck.store.shards import split_index

    split_index(index_path, folder, shards=shards)
    console.print(escape(f"{folder}: {shards} shards from {index_path} (keep it to resume or grow the build)"))


def _local_master(jobs: int | None) -> str | None:
    from licheck.engines.session import LOCAL_MASTER

    if "PYSPARK_GATEWAY_PORT" in os.environ:  # under spark-submit: its --master decides
        return None
    return f"local[{jobs}]" if jobs else LOCAL_MASTER


def _build_on_spark(console: Console, loaded: Any, target: Path, *, cache: Path, master: str | None,
                    work: str | None) -> None:
    from licheck.engines.spark import build_with_spark

    with console.status(f"building {loaded.path.name} on Spark ({master or 'spark-submit master'})"):
        result = build_with_spark(loaded, target, cache=cache, master=master, work=work)
    total = len(result.report.sources)
    for source in result.report.sources:
        label = f"[{source.number + 1}/{total}] {result.labels[source.number]}"
        if source.error:
            console.print(f"[red]{escape(label)}: failed[/]: {escape(source.error)}")
        else:
            console.print(escape(f"{label}: {source.files} files, {source.units} new units"
                                 + (f", {len(source.skipped)} skipped" if source.skipped else "")))
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
    units = sum(s.units for s in result.report.sources)
    console.print(escape(f"{target}: {total - len(result.failed_labels)} indexed, {len(result.failed_labels)} failed; "
                         f"{units} units in all ({stages})"))
    if result.failed_labels:
        console.print(escape("rebuild these sources: " + ", ".join(result.failed_labels)))
        click.get_current_context().exit(EXIT_ERROR)


@index.command("manifests")
def manifests_cmd() -> None:
    """List the manifests shipped with licheck (build one by name: `licheck index build NAME`)."""
    from licheck.config import default_index_path
    from licheck.manifests import FOLDER, bundled_manifests

    for found in bundled_manifests():
        click.echo(f"{found.name}\t{found.sources} sources\t{found.description}")
    err_console().print(escape(f"shipped in {FOLDER}; the default index is {default_index_path()}"))


@index.command("info")
@index_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def info_cmd(index_path: str, fmt: str) -> None:
    """Show what an index holds and how it was built."""
    from licheck.decide.derive import load_null
    from licheck.store.shards import ShardedIndex, open_index

    with open_index(index_path) as db:
        sources = db.list_sources()
        meta = db.meta()
        units = db.unit_count()
        shards = len(db.shards) if isinstance(db, ShardedIndex) else 0
        null = load_null(db)
        lineages = int(db.statistic("lineages") or 0)
        stale = db.statistics_stale
    statistics = {"lineages": lineages, "stale": stale,
                  "null": None if null is None else {"fitted_at_lineages": null.lineages,
                                                     "strata": {k: v.as_dict() for k, v in null.strata.items()}}}
    data = {"path": index_path, "sources": len(sources), "units": units, "meta": meta, "source_list": sources,
            "statistics": statistics}
    if shards:
        data["shards"] = shards
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{index_path}: {len(sources)} sources, {units} units")
    for column in ("name", "version", "license", "category", "license from", "files", "units"):
        table.add_column(column)
    for s in sources:
        table.add_row(str(s["name"]), str(s["version"]), str(s["license"]), str(s["license_category"]),
                      str(s["license_origin"]), str(s["file_count"]), str(s["unit_count"]))
    out_console().print(table)
    out_console().print(escape(_null_summary(lineages, stale, null)))


def _null_summary(lineages: int, stale: bool, null: Any) -> str:
    if null is None:
        return "no null distribution yet: run `licheck index refresh`"
    lines = [f"{lineages:,} lineages{' (stale: run `licheck index refresh`)' if stale else ''}; null fitted at "
             f"{null.lineages:,} lineages — best evidence of independent code, in shingle-equivalents (bits / "
             f"log2 of the language's lineages), by language/size bin:"]
    if not null.strata:
        lines.append("  none yet: too few lineages for a null of their own, so a built-in prior (measured on a real "
                     "index) decides")
    for key, fit in sorted(null.strata.items()):
        lines.append(f"  {key:<14} n={fit.n:<5} median {fit.quantiles[len(fit.quantiles) // 2]:6.2f}, "
                     f"tail above {fit.u:.2f} falls e-fold per {1 / fit.lam:.2f}")
    return "\n".join(lines)


@index.command("list")
@index_option()
def list_cmd(index_path: str) -> None:
    """List the sources in an index, one per line."""
    from licheck.store.shards import open_index

    with open_index(index_path) as db:
        for s in db.list_sources():
            click.echo(f"{s['name']}\t{s['version']}\t{s['license']}\t{s['origin']}")


@index.command("remove")
@click.argument("source")
@index_option()
@click.option("--version", "version", default=None, help="Only this version.")
def remove_cmd(source: str, index_path: str, version: str | None) -> None:
    """Remove a source (all its versions unless --version) from the index (a file or a sharded folder)."""
    from licheck.store.shards import remove_source

    removed = remove_source(Path(index_path), source, version, derive=lambda db: _derive(err_console(), db))
    if not removed:
        raise UsageError(f"no source named {source!r} in {index_path}", hint="see `licheck index list`")
    err_console().print(f"removed {removed} source(s) named {source}")


@index.command("refresh")
@index_option()
@click.option("--refit", is_flag=True, help="Refit the null distribution even if the index has not grown much.")
@jobs_option
def refresh_cmd(index_path: str, refit: bool, jobs: int | None) -> None:
    """Derive the index's lineages, shingle counts and null distribution again (add/build/remove do it).

    An index whose band rows are stored in the previous layout is converted in place first.
    """
    from licheck.store.index_db import IndexDB

    with IndexDB.open_for_write(index_path) as db:
        _derive(err_console(), db, refit=refit, force=True, jobs=jobs)


@index.command("vacuum")
@index_option()
def vacuum_cmd(index_path: str) -> None:
    """Drop what removed sources left behind and compact the file."""
    from licheck.store.index_db import IndexDB

    with IndexDB.open_for_write(index_path) as db:
        db.vacuum()
    err_console().print(f"{index_path}: vacuumed")


def _derive(console: Console, db: Any, *, refit: bool = False, force: bool = False, jobs: int | None = 1) -> None:
    """The statistics the decision reads (licheck.decide.derive), after the index changed; the null's scans
    over ``jobs`` processes (None: all cores)."""
    from licheck.decide.derive import derive_statistics

    if not (force or refit or db.statistics_stale):
        return
    with console.status("deriving lineages and the null distribution") as status:
        timings = derive_statistics(db, refit=refit, progress=lambda message: status.update(escape(message)),
                                    jobs=jobs or os.cpu_count() or 1)
    lineages = int(db.statistic("lineages") or 0)
    steps = ", ".join(f"{name} {timings[key]:.1f} s" for key, name in
                      (("lineages_s", "lineages"), ("shingles_s", "shingle counts"), ("null_s", "null")) if key in timings)
    console.print(escape(f"{db.path}: {lineages:,} lineages; null {'refitted' if timings.get('null_refit') else 'kept'}"
                         f" ({steps})"))


# -- rendering ---------------------------------------------------------------------------------------------
def _console() -> Console:
    console = err_console()
    console.soft_wrap = True  # one line per source, even in a narrow or non-terminal stderr
    return console


ProgressFn = Callable[[str, int, int], None]


@contextmanager
def _progress(console: Console, description: str) -> Iterator[tuple[ProgressFn, Any]]:
    """Two bars on stderr (sources, files of the current source), shown only on a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=console,
                    disable=not console.is_terminal, transient=True)
    sources = bars.add_task(description, total=None, rate="")
    files = bars.add_task("files", total=None, rate="")
    units = [0]

    def update(stage: str, done: int, total: int) -> None:
        if stage == "units":
            units[0] = done
            return
        task = bars.tasks[files]
        if done <= 1:
            bars.reset(files, total=total)
        elapsed = task.elapsed or 0.0
        rate = f"{done / elapsed:.0f} files/s, {units[0]} units" if elapsed > 0.5 else f"{units[0]} units"
        bars.update(files, completed=done, total=total, rate=rate)

    with bars:
        yield update, (bars, sources)


def _print_outcome(console: Console, outcome: SourceOutcome, done: int, total: int, sources: Any) -> None:
    bars, task = sources
    bars.update(task, completed=done, total=total)
    label = f"[{done}/{total}] {outcome.entry.ref.label}"
    if outcome.status == "failed":
        console.print(f"[red]{escape(label)}: failed[/]: {escape(outcome.error)}")
    elif outcome.status == "unchanged":
        console.print(f"{escape(label)}: already indexed, unchanged")
    elif outcome.result is not None:
        console.print(escape(f"{label}: ") + _result_line(outcome.result)
                      + escape(f" ({outcome.download_s:.1f} s fetch, {outcome.index_s:.1f} s index)"))


def _print_result(console: Console, result: AddResult) -> None:
    src = result.source
    label = f"{src.name} {src.version}".strip()
    if result.unchanged:
        console.print(escape(f"{label}: already indexed, unchanged"))
        return
    console.print(escape(f"{label}: ") + _result_line(result))
    for skipped in result.skipped[:20]:
        console.print(f"  [dim]skipped {escape(skipped.path)}: {escape(skipped.reason)}[/]")


def _result_line(result: AddResult) -> str:
    src = result.source
    return escape(f"{result.files} files, {result.units} new units, license {src.license} ({src.license_category}) "
                  f"from {src.license_origin or 'nowhere'}" + (f", {len(result.skipped)} skipped" if result.skipped else ""))


def _add_shard_commands() -> None:
    from licheck.cli.shards_cmd import compact_cmd, merge_cmd

    index.add_command(compact_cmd)
    index.add_command(merge_cmd)


_add_shard_commands()
