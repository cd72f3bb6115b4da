"""Files to model: find templates and plans, tell their formats apart by content, load them.

`load(paths)` never raises for bad input: each file that cannot be read
becomes one located `LoadError` in `Model.errors`, and the other files are
still loaded.
"""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from boundary.load._cache import default_cache_dir
from boundary.load._errors import SourceError, warning
from boundary.load._limits import LimitExceeded, budget, limit_hint
from boundary.load.options import LoadOptions
from boundary.model import Format, Limits, LoadError, Location, Model, PolicyDocument, Template

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = [
    "LoadOptions",
    "Loaded",
    "SourceError",
    "cached_result",
    "cached_results",
    "default_cache_dir",
    "discover",
    "load",
    "load_file",
    "load_each",
    "load_policy",
    "read_policy",
    "store_result",
    "store_results",
    "with_overrides",
]

# Folders that hold build output, dependencies or tool state, never sources. Hidden
# folders (`.git`, `.terraform`, `.aws-sam`, `.venv`, ...) and virtual environments
# (a `pyvenv.cfg` inside) are not walked either; name one to scan it.
_SKIPPED_DIRS = frozenset({"node_modules", "cdk.out", "__pycache__", "venv", "site-packages"})
_CANDIDATE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")
_TEMPLATE_MARKERS = ("AWSTemplateFormatVersion", "Resources", "Transform")
# What a walked file must mention to be worth parsing: a template's keys, or a plan's.
_CANDIDATE_MARKERS = (*_TEMPLATE_MARKERS, '"format_version"')


def discover(
    paths: Sequence[str | os.PathLike[str]],
    exclude: Sequence[str] = (),
    on_error: Callable[[LoadError], None] | None = None,
) -> Iterator[tuple[str, bool]]:
    """Yield `(file, named)` for every candidate file, in a stable order.

    `named` is True for files given explicitly (they must be templates); files
    found by walking a directory are candidates only, skipped silently when
    they turn out not to be templates. A folder that cannot be read is never
    skipped silently: `on_error` gets a `LoadError` for it. A symbolic link found
    while walking that leads outside the walked folder is not followed (a warning
    says so); named on the command line, it is.
    """

    def unreadable(error: OSError) -> None:
        if on_error is not None:
            folder = str(error.filename) if error.filename is not None else "."
            on_error(LoadError(folder, 0, 0, f"cannot read folder: {error.strerror or error}"))

    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = os.path.realpath(path)
            for root, dirs, files in os.walk(path, onerror=unreadable):
                dirs[:] = sorted(
                    d for d in dirs if not _tooling(root, d) and not _excluded(os.path.join(root, d), exclude)
                )
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.lower().endswith(_CANDIDATE_SUFFIXES) and not _excluded(full, exclude):
                        if os.path.islink(full) and not _within(os.path.realpath(full), inside):
                            if on_error is not None:
                                on_error(
                                    warning(
                                        full,
                                        0,
                                        0,
                                        "not followed: a symbolic link to a file outside the scanned "
                                        "folder (name the file to scan it)",
                                    )
                                )
                            continue
                        yield full, False
        elif not _excluded(str(path), exclude) and path.suffix != ".tf":
            yield str(path), True  # a named `.tf` file is read with its folder's configuration


def _walk_folders(path: str, exclude: Sequence[str]) -> Iterator[str]:
    """Every folder under `path` that the file walk of `discover` enters."""
    for root, dirs, _ in os.walk(path):
        dirs[:] = sorted(
            d for d in dirs if not _tooling(root, d) and not _excluded(os.path.join(root, d), exclude)
        )
        yield root


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _tooling(root: str, name: str) -> bool:
    """Whether a folder found while walking holds tool state or dependencies, not sources."""
    return (
        name.startswith(".")
        or name in _SKIPPED_DIRS
        or os.path.isfile(os.path.join(root, name, "pyvenv.cfg"))
    )


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    normalized = path.replace(os.sep, "/").removeprefix("./")
    return any(
        fnmatch.fnmatch(normalized, pattern)
        or fnmatch.fnmatch(os.path.basename(normalized), pattern)
        or fnmatch.fnmatch(normalized, f"*/{pattern}")
        or fnmatch.fnmatch(normalized, f"{pattern.rstrip('/')}/*")
        for pattern in patterns
    )


def load(
    paths: Sequence[str | os.PathLike[str]],
    options: LoadOptions | None = None,
    *,
    parameters: Mapping[str, str] | None = None,
    region: str | None = None,
    account: str | None = None,
    exclude: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    tf_dir: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    jobs: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Model:
    """Load SAM templates, CloudFormation templates, Terraform plans and Terraform
    configurations (folders of `.tf` files) into one `Model`.

    `options` says how (see `LoadOptions`); `parameters`, `region`, `account`,
    `tf_dir` and `limits` are shorthands that override its fields. A plan is read
    with the `.tf` sources it came from (`tf_dir`, else the plan's own folder), and
    those sources are not scanned again on their own; a folder of `.tf` files that
    no plan came from is scanned as a configuration (its local modules are followed,
    not scanned again on their own).

    `jobs` > 1 loads files and configurations in this process and, when they look
    long enough to load to pay for it, `jobs - 1` worker processes; the model is the
    same whatever `jobs` is (files keep their order). `cache_dir` turns
    on the cache of loaded files in that folder (see docs/performance.md); None, the
    default, reads and writes no cache.
    """
    options = with_overrides(
        options, parameters=parameters, region=region, account=account, limits=limits, tf_dir=tf_dir
    )
    return load_each(paths, options, exclude=exclude, progress=progress, jobs=jobs, cache_dir=cache_dir).model


class Loaded(NamedTuple):
    """What `load_each` gives: the model; what a result derived from the whole model may
    be cached under (`key`: a digest of every file's, and configuration folder's, cache
    key and of the other files its loading read, with their hashes, in order, when the
    cache is on and every file has a key; a file over the size limit, or not a regular
    file, has none; None otherwise); by template path what `finish` gave for each
    template loaded in this call (a template that came from the cache has none); and,
    when the cache is on, each template's own key for results derived from it alone
    (its file's cache key and the files its loading read)."""

    model: Model
    key: str | None
    finished: Mapping[str, Any]
    keys: Mapping[str, str] = {}


def load_each(
    paths: Sequence[str | os.PathLike[str]],
    options: LoadOptions,
    *,
    exclude: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    jobs: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
    finish: Callable[[Template], tuple[Template, Any]] | None = None,
) -> Loaded:
    """`load`, with the keys results derived from it may be cached under (`Loaded`), and
    `finish` called on each template as soon as it is loaded,
    in the process that loaded it (a worker, when `jobs` > 1): it returns the template
    to keep in the model (the same one, or a smaller one: less to send back from a
    worker) and something of its own, which `Loaded.finished` holds by template path.
    The cache keeps the template as loaded. `finish` and what it returns must be
    picklable when `jobs` > 1, and must not depend on which process runs it."""
    errors: list[LoadError] = []
    candidates = list(discover(paths, exclude, on_error=errors.append))
    cache = _open_cache(cache_dir)
    tasks = [_Task(file, named, _plan_sources(file, options)) for file, named in candidates]
    found = _terraform_folders(paths, exclude)
    total = len(tasks) + len(found)
    finished: dict[str, Any] = {}
    run = _Run(options, cache, None if cache is None else str(cache_dir), finish, finished)
    outcomes, keys, reads_of = _load_tasks(tasks, run, jobs, progress, 0, total)
    # The folders whose sources a plan was read with are that plan's, not a configuration to scan.
    consumed: set[str] = set()
    for outcome in outcomes:
        if isinstance(outcome, Template):
            consumed |= _terraform_folders_read(outcome)
    folders = [f for f in found if f not in consumed]
    done = len(tasks)
    for folder in found:
        if folder in consumed and progress is not None:
            progress(folder, done, total)  # read with its plan
        done += folder in consumed
    configurations, folder_keys, folder_reads = _load_tasks(
        [_Task(folder, True, folder, configuration=True) for folder in folders],
        run,
        jobs,
        progress,
        done,
        total,
    )
    keys += folder_keys
    reads_of += folder_reads
    # A local module another scanned configuration calls is judged there, with its inputs.
    called: set[str] = set()
    for folder, outcome in zip(folders, configurations, strict=True):
        if isinstance(outcome, Template):
            called |= _terraform_folders_read(outcome) - {folder}
    if cache is not None:
        cache.prune()
    templates: list[Template] = []
    kept = [o for f, o in zip(folders, configurations, strict=True) if f not in called]
    for outcome in [*outcomes, *kept]:
        if isinstance(outcome, LoadError):
            errors.append(outcome)
        elif outcome is not None:
            templates.append(outcome)
            errors.extend(outcome.warnings)
    whole: str | None = None
    if cache is not None and None not in keys:
        digest = hashlib.sha256()
        for key, reads in zip(keys, reads_of, strict=True):
            digest.update(f"{key}\0{reads!r}\0".encode("utf-8", "surrogateescape"))
        whole = digest.hexdigest()
    own: dict[str, str] = {}
    if cache is not None:
        for outcome, key, reads in zip([*outcomes, *configurations], keys, reads_of, strict=True):
            if isinstance(outcome, Template) and key is not None:
                own[outcome.path] = hashlib.sha256(
                    f"{key}\0{reads!r}".encode("utf-8", "surrogateescape")
                ).hexdigest()
    # two plans read with the same sources carry the same source errors: said once
    model = Model(templates=tuple(templates), errors=tuple(dict.fromkeys(errors)))
    kept_paths = {t.path for t in templates}
    return Loaded(
        model,
        whole,
        {path: value for path, value in finished.items() if path in kept_paths},
        {path: value for path, value in own.items() if path in kept_paths},
    )


def cached_result(cache_dir: str | os.PathLike[str], key: str) -> tuple[bool, Any]:
    """(True, value) when the cache in `cache_dir` holds a result stored under `key`
    (by `store_result`, HMAC-checked like every entry); (False, None) otherwise."""
    return cached_results(cache_dir, [key])[0]


def cached_results(cache_dir: str | os.PathLike[str], keys: Sequence[str]) -> list[tuple[bool, Any]]:
    """`cached_result` of each key, the cache opened once."""
    cache = _open_cache(cache_dir)
    if cache is None:
        return [(False, None)] * len(keys)
    return [cache.get(_result_key(key)) for key in keys]


def store_result(cache_dir: str | os.PathLike[str], key: str, value: Any) -> None:
    """Keep `value` (picklable) in the cache in `cache_dir` under `key`; never raises."""
    store_results(cache_dir, [(key, value)])


def store_results(cache_dir: str | os.PathLike[str], items: Sequence[tuple[str, Any]]) -> None:
    """`store_result` of each (key, value), the cache opened once."""
    cache = _open_cache(cache_dir) if items else None
    if cache is not None:
        for key, value in items:
            cache.put(_result_key(key), value, ())


def _result_key(key: str) -> str:
    """Results live beside loaded files, in a key space of their own."""
    return hashlib.sha256(f"result\0{key}".encode()).hexdigest()


def _terraform_folders(paths: Sequence[str | os.PathLike[str]], exclude: Sequence[str]) -> list[str]:
    from boundary.load._tf_folders import terraform_folders

    given = [str(p) for p in paths if not _excluded(str(p), exclude)]
    return terraform_folders(given, lambda root: _walk_folders(root, exclude))


def _terraform_folders_read(template: Template) -> set[str]:
    """The folders of the `.tf` files a Terraform template was read from (its root and
    the local modules it called)."""
    if template.format is not Format.TERRAFORM:
        return set()
    return {os.path.normpath(os.path.dirname(f) or ".") for f in template.sources if f.endswith(".tf")}


def _plan_sources(file: str, options: LoadOptions) -> str | None:
    """The folder whose `.tf` sources a plan candidate is read with (it may hold none)."""
    if not file.lower().endswith(".json"):
        return None
    return os.path.normpath(options.tf_dir or os.path.dirname(file) or ".")


class _Task(NamedTuple):
    """One unit of loading: a file (a plan with the folder of its sources, when it may
    be one), or a folder of `.tf` files scanned as a configuration."""

    path: str
    named: bool
    sources: str | None
    configuration: bool = False


# A task's outcome: its template, the error that stopped it, or None (not a template).
_Outcome = Template | LoadError | None
_Reads = tuple[tuple[str, str | None], ...]
# An outcome, the other files it was read from, and what `finish` gave for it (None if nothing).
_Loaded = tuple[_Outcome, _Reads, Any]


class _Run(NamedTuple):
    """How the tasks of one `load_each` are loaded: its options, its cache (and the
    folder a worker opens it from), its `finish`, and where this process keeps what
    `finish` gave."""

    options: LoadOptions
    cache: Any
    cache_dir: str | None
    finish: Callable[[Template], tuple[Template, Any]] | None
    finished: dict[str, Any]


class _Job(NamedTuple):
    """One task as a worker gets it: what to load, how, and the cache key to store it under."""

    task: _Task
    options: LoadOptions
    key: str | None
    cache_dir: str | None
    finish: Callable[[Template], tuple[Template, Any]] | None


def _load_tasks(
    tasks: Sequence[_Task],
    run: _Run,
    jobs: int,
    progress: Callable[[str, int, int], None] | None,
    done: int,
    total: int,
) -> tuple[list[_Outcome], list[str | None], list[_Reads]]:
    """Each task's outcome, in task order: from the cache where it holds one, else loaded
    here or also in up to `jobs - 1` worker processes (and cached by whoever loaded it);
    with each task's cache key and the other files its outcome was read from.
    `progress` hears of each, counted from `done` (tasks told before) out of `total`."""
    options, cache = run.options, run.cache
    outcomes: list[_Outcome] = [None] * len(tasks)
    keys: list[str | None] = [None] * len(tasks)
    # The other files each outcome was read from (a SAM template's inlined definitions,
    # a plan's or a configuration's `.tf` sources).
    reads_of: list[_Reads] = [()] * len(tasks)
    missing: list[int] = []
    for index, task in enumerate(tasks):
        if cache is not None:
            keys[index] = key = _cache_key(cache, task, options)
            if key is not None:
                hit, outcome, reads_of[index] = cache.entry(key)
                if hit:
                    outcomes[index] = outcome
                    if progress is not None:
                        progress(task.path, done, total)
                    done += 1
                    continue
        missing.append(index)
    workers = min(jobs, len(missing))
    work = [_Job(tasks[i], options, keys[i], run.cache_dir, run.finish) for i in missing]
    if workers > 1:
        told = done

        def tell(position: int) -> None:  # as each file is loaded, here or in the pool
            nonlocal told
            if progress is not None:
                progress(tasks[missing[position]].path, told, total)
            told += 1

        loaded: Iterable[_Loaded] = _load_beside_pool(work, cache, workers, tell)
    else:
        loaded = _load_here(work, cache, progress, done, total)
    for index, (outcome, reads, extra) in zip(missing, loaded, strict=True):
        done += 1
        outcomes[index] = outcome
        reads_of[index] = reads
        if isinstance(outcome, Template) and run.finish is not None:
            run.finished[outcome.path] = extra
        if cache is not None and keys[index] is not None:
            cache.written += 1  # stored by whoever loaded it: counted here for `prune`
    return outcomes, keys, reads_of


def _load_here(
    jobs: Sequence[_Job],
    cache: Any,
    progress: Callable[[str, int, int], None] | None,
    done: int,
    total: int,
) -> Iterator[_Loaded]:
    """`_load_one` in this process, telling `progress` before each task; the `.tf`
    sources of a folder are read once for every plan that comes from it."""
    read: dict[str, Any] = {}
    for count, job in enumerate(jobs, start=done):
        if progress is not None:
            progress(job.task.path, count, total)
        yield _load_one(job, read, cache)


def _load_one(job: _Job, read: dict[str, Any] | None = None, cache: Any = None) -> _Loaded:
    """Load one task, in this process or a worker: the outcome, the other files it
    depends on (for the cache: the `.tf` sources and the folders that hold them too),
    and what `finish` gave for it. The outcome is cached as loaded, before `finish`."""
    import contextlib

    from boundary.load._cache import recording_reads

    task, options = job.task, job.options
    # What loading read is recorded for the cache only: without one, nothing is hashed.
    recorder: contextlib.AbstractContextManager[list[Any]] = (
        recording_reads() if job.key is not None else contextlib.nullcontext([])
    )
    with recorder as recorded:
        try:
            if task.configuration:
                outcome: _Outcome = _load_configuration(task.path, options, read)
            else:
                outcome = _load_plan_or_template(task, options, read)
        except SourceError as error:
            outcome = error.to_load_error()
    reads = tuple(recorded)
    if job.key is not None and cache is not None:
        cache.put(job.key, outcome, reads)
    extra = None
    if job.finish is not None and isinstance(outcome, Template):
        outcome, extra = job.finish(outcome)
    return outcome, reads, extra


def _load_plan_or_template(task: _Task, options: LoadOptions, read: dict[str, Any] | None) -> _Outcome:
    from boundary.load._tf_folders import record_dependencies

    sources = _read_sources(task.sources, read) if task.sources is not None else None
    try:
        outcome = load_file(task.path, options, named=task.named, sources=sources)
    finally:
        if task.sources is not None:
            record_dependencies(task.sources, sources)
    if isinstance(outcome, Template) and outcome.sources and sources is not None:
        # read with its sources: their errors are the plan's
        outcome = replace(outcome, warnings=outcome.warnings + _source_errors(sources))
    return outcome


def _read_sources(folder: str, read: dict[str, Any] | None) -> Any:
    """The `.tf` configuration in `folder` (None when it holds none), read once per load
    in this process (`read`)."""
    from boundary.load._tf_folders import is_configuration_dir

    if read is not None and folder in read:
        return read[folder]
    sources = None
    if is_configuration_dir(folder):
        from boundary.load.terraform.hcl import read_configuration

        sources = read_configuration(folder)
    if read is not None:
        read[folder] = sources
    return sources


def _source_errors(sources: Any) -> tuple[LoadError, ...]:
    return tuple(error.to_load_error() for error in sources.errors)


def _load_configuration(folder: str, options: LoadOptions, read: dict[str, Any] | None) -> _Outcome:
    """A folder of `.tf` files scanned without a plan; None when it holds none."""
    from boundary.load.terraform.hcl import load_configuration, record_dependencies

    sources = _read_sources(folder, read)
    if sources is None:
        return None
    try:
        template: Template = load_configuration(sources, path=folder, options=options)
    except SourceError as error:
        return error.to_load_error()
    except RecursionError:
        return LoadError(folder, 0, 0, "Terraform configuration nested too deeply")
    except Exception as error:  # noqa: BLE001 - a bug must not hide the other files' results
        return LoadError(folder, 0, 0, f"internal error while loading ({type(error).__name__}: {error})")
    finally:
        record_dependencies(folder, sources)  # the local modules evaluation followed
    return replace(template, warnings=template.warnings + _source_errors(sources))


#: Load in worker processes only when this process, loading alone, would still take
#: longer than this (CPU seconds, estimated per byte from the files it has loaded, the
#: first not counted: it pays the loader's imports): below it, a worker saves little
#: and a second process holds as much memory again. The 178 corpus plans (4 MB of JSON)
#: are estimated at 1.3 s and take 0.6 s to load and judge: a worker saved 8 % of the
#: wall time for 40 MB more; the 385 corpus templates, estimated at 3.1 s, take 2.9 s.
_POOL_WORTH = 2.0
#: CPU seconds of loading here before the first estimate.
_PROBE_SECONDS = 0.02


def _load_beside_pool(
    jobs: list[_Job], cache: Any, workers: int, tell: Callable[[int], None]
) -> list[_Loaded]:
    """`_load_one` over `jobs`, results in job order: this process loads from the end of
    the list and, when the rest looks long enough to be worth it, `workers - 1` worker
    processes load chunks from the front; `tell(position)` hears of each as it is loaded.

    This process works instead of waiting on the pool: one process fewer holds a
    copy of the loaders for the same CPUs, and the pool forks after this process has
    imported what its first files needed (the SAM translator), so the workers share
    those pages instead of importing them again. Who loads which file changes
    nothing in the result: each outcome depends on its task alone.
    """
    import time  # multiprocessing and concurrent.futures only when a pool starts: most scans start none

    results: list[_Loaded | None] = [None] * len(jobs)
    read: dict[str, Any] = {}
    front, back = 0, len(jobs)
    pool: ProcessPoolExecutor | None = None
    pending: dict[Future[list[_Loaded]], range] = {}
    probe_start = 0.0
    chunk = max(1, min(8, len(jobs) // (workers * 8)))
    sizes = [_size(job.task) for job in jobs]
    probed, unprobed = 0, sum(sizes[:-1])  # bytes loaded here after the first; the others

    def collect(finished: Iterable[Future[list[_Loaded]]]) -> None:
        for future in finished:
            for position, result in zip(pending.pop(future), future.result(), strict=True):
                results[position] = result
                tell(position)

    try:
        while front < back:
            if pool is None and probed:
                spent = time.process_time() - probe_start
                if spent >= _PROBE_SECONDS and spent / probed * unprobed > _POOL_WORTH:
                    pool = _pool(workers - 1)
            if pool is not None:
                while len(pending) < 2 * (workers - 1) and front < back:
                    # smaller chunks as the two ends meet: this process does not wait long
                    # at the end for a worker's last chunk
                    stop = min(back, front + max(1, min(chunk, (back - front) // (4 * workers))))
                    pending[pool.submit(_load_chunk, jobs[front:stop])] = range(front, stop)
                    front = stop
                collect([future for future in pending if future.done()])
            if front < back:
                back -= 1
                results[back] = _load_one(jobs[back], read, cache)
                tell(back)
                if back == len(jobs) - 1:
                    probe_start = time.process_time()
                else:
                    probed += sizes[back]
                    unprobed -= sizes[back]
        if pending:
            from concurrent.futures import FIRST_COMPLETED, wait

            while pending:
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                collect(finished)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return [result for result in results if result is not None]


def _size(task: _Task) -> int:
    """The bytes of the task's file, a guess for a folder (at least 1)."""
    try:
        return 4096 if task.configuration else max(1, os.path.getsize(task.path))
    except OSError:
        return 1


def _pool(workers: int) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares what this process has imported: no worker pays that import again.
    # Elsewhere, the platform's default.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if sys.platform == "linux" and "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _load_chunk(jobs: list[_Job]) -> list[_Loaded]:
    """`_load_one` over a few consecutive jobs, in a worker."""
    read: dict[str, Any] = {}
    folders = {job.cache_dir for job in jobs if job.key is not None and job.cache_dir is not None}
    cache = _open_cache(folders.pop()) if len(folders) == 1 else None
    return [_load_one(job, read, cache) for job in jobs]


def _open_cache(cache_dir: str | os.PathLike[str] | None) -> Any:
    if cache_dir is None:
        return None
    from boundary.load._cache import LoadCache

    cache = LoadCache(cache_dir)
    return cache if cache.usable else None


def _cache_key(cache: Any, task: _Task, options: LoadOptions) -> str | None:
    """The task's cache key: its file's bytes (none for a configuration folder, whose
    `.tf` files are recorded dependencies), its path, how it is loaded. The `.tf`
    sources a plan is read with are dependencies too, checked on every hit."""
    from boundary import __version__

    if task.configuration:
        raw = b""
        how = f"configuration\0{task.path}"
    else:
        limit = options.limits.max_file_size
        try:
            if not os.path.isfile(task.path):
                return None
            with open(task.path, "rb") as stream:  # never more than loading itself would read
                raw = stream.read(limit + 1)
        except OSError:
            return None
        if len(raw) > limit:
            return None
        how = f"sources\0{task.sources}" if task.sources is not None else ""
    params = tuple(sorted((options.parameters or {}).items()))
    key = cache.key(task.path, raw, replace(options, parameters=dict(params)), task.named, __version__ + how)
    return str(key)


def with_overrides(
    options: LoadOptions | None,
    *,
    parameters: Mapping[str, str] | None = None,
    region: str | None = None,
    account: str | None = None,
    limits: Limits | None = None,
    tf_dir: str | os.PathLike[str] | None = None,
) -> LoadOptions:
    """`options` (or the defaults) with the fields given here replacing its own."""
    options = options or LoadOptions()
    changes: dict[str, Any] = {}
    if parameters is not None:
        changes["parameters"] = parameters
    if region is not None:
        changes["region"] = region
    if account is not None:
        changes["account"] = account
    if limits is not None:
        changes["limits"] = limits
    if tf_dir is not None:
        changes["tf_dir"] = str(tf_dir)
    return replace(options, **changes) if changes else options


def load_file(
    file: str, options: LoadOptions | None = None, *, named: bool = True, sources: Any = None
) -> Template | None:
    """One file to a `Template`; None when a walked file is not a template at all.

    Raises `SourceError` for bad input (and for a named file that is not a
    template); never anything else.
    """
    options = options or LoadOptions()
    limits = options.limits
    try:
        if os.path.exists(file) and not os.path.isfile(file):  # a FIFO or a device never ends
            raise SourceError(file, 0, 0, "cannot read file: not a regular file")
        with open(file, "rb") as stream:
            raw = stream.read(limits.max_file_size + 1)
    except OSError as error:
        raise SourceError(file, 0, 0, f"cannot read file: {error.strerror or error}") from None
    if len(raw) > limits.max_file_size:
        if not named and not _mentions_template(raw[:65536]):
            return None
        raise LimitExceeded(
            file,
            1,
            1,
            f"file too large (more than {limits.max_file_size} bytes); {limit_hint('max_file_size')}",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if not named and not _mentions_template(raw):
            return None
        raise _not_utf8(file, raw, error) from None
    if not named and not any(marker in text for marker in _CANDIDATE_MARKERS):
        return None
    try:
        with budget(file, limits):
            template = _load_text(file, text, options, named=named, sources=sources)
        if template is not None:
            _check_size(template, limits)
        return template
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(file, 1, 0, "nesting too deep to load") from None
    except Exception as error:  # noqa: BLE001 - a bug must not hide the other files' results
        raise SourceError(
            file, 1, 0, f"internal error while loading ({type(error).__name__}: {error})"
        ) from None


def _check_size(template: Template, limits: Limits) -> None:
    """Resources per template, statements and actions per policy, after loading: what the
    graph and the rules would otherwise spend their time on."""
    if len(template.resources) > limits.max_resources:
        resource = list(template.resources.values())[limits.max_resources]
        raise LimitExceeded(
            template.path,
            max(resource.location.line, 1),
            resource.location.column,
            f"too many resources (more than {limits.max_resources}); {limit_hint('max_resources')}",
        )
    for policy in template.policies:
        document = policy.document
        if document is None:
            continue
        where = policy.location
        if len(document.statements) > limits.max_statements:
            statement = document.statements[limits.max_statements]
            where = statement.location or where
            raise LimitExceeded(
                template.path,
                max(where.line, 1),
                where.column,
                f"policy {policy.id} has too many statements (more than {limits.max_statements}); "
                f"{limit_hint('max_statements')}",
            )
        actions = 0
        for statement in document.statements:
            actions += len(statement.actions) + len(statement.not_actions or ())
            if actions > limits.max_actions:
                where = statement.location or where
                raise LimitExceeded(
                    template.path,
                    max(where.line, 1),
                    where.column,
                    f"policy {policy.id} has too many actions (more than {limits.max_actions}); "
                    f"{limit_hint('max_actions')}",
                )


def _mentions_template(raw: bytes) -> bool:
    """Whether undecodable bytes still look like a template: one stray Latin-1 byte or a
    UTF-16 editor must give an error, not a silently skipped template."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw = raw.decode("utf-16", "replace").encode()
    return any(marker.encode() in raw for marker in _CANDIDATE_MARKERS)


def _not_utf8(file: str, raw: bytes, error: UnicodeDecodeError) -> SourceError:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return SourceError(file, 1, 1, "UTF-16 text: templates and plans must be UTF-8")
    line = raw.count(b"\n", 0, error.start) + 1
    column = error.start - raw.rfind(b"\n", 0, error.start)
    return SourceError(file, line, column, f"not UTF-8 text ({error.reason} at byte {error.start})")


def _load_text(
    file: str, text: str, options: LoadOptions, *, named: bool, sources: Any = None
) -> Template | None:
    from boundary.load.formats import load_text

    return load_text(file, text, options, named=named, sources=sources)


def load_policy(file: str | os.PathLike[str]) -> PolicyDocument:
    """A standalone IAM policy document (strict JSON, as IAM takes it), with the
    location of every statement, for `validate-policy`.

    Raises `SourceError` for a file that cannot be read, is not JSON, or is not
    a JSON object. `read_policy` also returns the warnings (duplicate keys).
    """
    return read_policy(file)[0]


def read_policy(file: str | os.PathLike[str]) -> tuple[PolicyDocument, tuple[LoadError, ...]]:
    """`load_policy`, with the located warnings: read like a scanned file (a UTF-8 BOM
    is accepted), by the JSON reader plans use (a duplicate key keeps its last value
    and is a warning; an integer too long to convert stays a value)."""
    from boundary.iam.document import normalize_policy
    from boundary.load import _json
    from boundary.load._yaml import parse_document

    name = str(file)
    try:
        if os.path.exists(file) and not os.path.isfile(file):  # a FIFO or a device never ends
            raise SourceError(name, 0, 0, "cannot read file: not a regular file")
        raw = Path(file).read_bytes()
    except OSError as error:  # no position: the file itself could not be read
        raise SourceError(name, 0, 0, f"cannot read file: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line, column = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError(name, line, column, f"cannot read file: {error}") from None
    try:
        data, warnings = _json.loads(text, name)
    except json.JSONDecodeError as error:
        raise SourceError(name, error.lineno, error.colno, f"not valid JSON: {error.msg}") from None
    except RecursionError:
        raise SourceError(name, 1, 1, "not valid JSON: nesting too deep") from None
    if not isinstance(data, dict):
        raise SourceError(name, 1, 1, "a policy document must be a JSON object")
    try:
        locate = parse_document(text, name).locate
    except SourceError:  # valid JSON the marking parser refuses (duplicate keys): no lines
        return normalize_policy(data, Location(name, 1, 1)), warnings
    statements = data.get("Statement")
    paths: list[tuple[str | int, ...]] = (
        [("Statement", i) for i in range(len(statements))]
        if isinstance(statements, list)
        else [("Statement",)]
    )
    where = [Location(name, *locate(path)) for path in paths]
    return normalize_policy(data, Location(name, 1, 1), where), warnings
