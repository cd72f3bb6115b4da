"""A content-addressed cache of loaded files, so an unchanged repository re-scans fast.

An entry is the outcome of loading one file (a `Template`, the `LoadError` that
stopped it, or "not a template"), stored under the SHA-256 of everything the outcome
depends on: the file's bytes, its path, whether it was named or found by walking,
the load options and boundary's version. Definition files a SAM template inlines
(`DefinitionUri`, `AWS::Include`) are recorded with their own hashes and checked on
every hit, so editing one invalidates the template that reads it. So are the `.tf`
sources a Terraform plan is read with, or a configuration is scanned from (with the
local modules it follows, `terraform.tfvars`, `file()` reads), and the list of
Terraform files in each of their folders: editing, adding or removing one invalidates.

Entries are pickles, and unpickling runs code, so an entry is only unpickled after
its HMAC-SHA256 checks out under a secret that lives in the cache folder (created
0600 on first use, in a folder boundary refuses to use when another user owns it or
can write to it). A planted, foreign or truncated entry fails the check and is
ignored, then rewritten. Writes go to a temporary file renamed into place, so
concurrent scans never see half an entry. See docs/security.md and docs/performance.md.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_MAX_BYTES", "LoadCache", "default_cache_dir"]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_MAGIC = b"BNDC1\n"
_DIGEST = hashlib.sha256().digest_size
_SECRET = "secret"
_ENTRIES = "entries"

# What an outcome dependency is: the resolved path of a file read while loading, and the
# SHA-256 of its bytes (None when it was not a readable file).
Dependency = tuple[str, str | None]


def default_cache_dir() -> Path:
    """`$BOUNDARY_CACHE_DIR`, else the user's cache folder (`~/.cache/boundary` on Linux)."""
    override = os.environ.get("BOUNDARY_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("boundary", appauthor=False))


_reads: list[Dependency] | None = None


@contextlib.contextmanager
def recording_reads() -> Iterator[list[Dependency]]:
    """Collect, for the cache, the files loading reads besides the scanned one."""
    global _reads  # noqa: PLW0603 - one load at a time per process
    previous, _reads = _reads, []
    try:
        yield _reads
    finally:
        _reads = previous


def recording() -> bool:
    """Whether a load is recording what it reads (it is, for the cache, only when one is used)."""
    return _reads is not None


def record_read(path: str | os.PathLike[str]) -> None:
    """Note that loading depends on `path` (read or not: a file that appears later counts too)."""
    if _reads is not None:
        _reads.append((str(path), file_digest(str(path))))


def record_folder(path: str | os.PathLike[str]) -> None:
    """Note that loading depends on which Terraform files (`.tf`, `.tfvars`) a folder holds:
    one added or removed invalidates the entry (their contents are recorded one by one)."""
    if _reads is not None:
        folder = os.path.join(str(path), "")  # a trailing separator marks a folder
        _reads.append((folder, folder_digest(folder)))


def folder_digest(path: str) -> str | None:
    """SHA-256 of the sorted names of the Terraform files in a folder; None when it
    cannot be listed."""
    try:
        names = sorted(n for n in os.listdir(path) if n.endswith((".tf", ".tfvars")))
    except OSError:
        return None
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def _digest(dependency: str) -> str | None:
    return folder_digest(dependency) if dependency.endswith(os.sep) else file_digest(dependency)


def file_digest(path: str) -> str | None:
    """SHA-256 of a regular file's bytes; None for anything else (a FIFO or /dev/zero is
    never read); size and mtime only past 64 MB (loading reads no definition that big)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > 64 * 1024 * 1024:
            return f"large:{info.st_size}:{info.st_mtime_ns}"
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


class LoadCache:
    """One cache folder. Never raises: a folder that cannot be used makes every lookup a miss."""

    def __init__(self, directory: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._secret: bytes | None = None
        self.usable = self._open()
        self.written = 0

    def _open(self) -> bool:
        try:
            (self.directory / _ENTRIES).mkdir(parents=True, exist_ok=True, mode=0o700)
            if not _private(self.directory):
                return False
            self._secret = _secret(self.directory / _SECRET)
        except OSError:
            return False
        return self._secret is not None

    def key(self, file: str, raw: bytes, options: Any, named: bool, version: str) -> str:
        digest = hashlib.sha256()
        for part in (version, _code_fingerprint(), file, "named" if named else "walked", repr(options)):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / _ENTRIES / key[:2] / key

    def get(self, key: str) -> tuple[bool, Any]:
        """(True, outcome) on a hit whose recorded dependencies are unchanged; (False, None) otherwise."""
        hit, outcome, _ = self.entry(key)
        return hit, outcome

    def entry(self, key: str) -> tuple[bool, Any, tuple[Dependency, ...]]:
        """`get`, with the dependencies the entry recorded (checked unchanged) on a hit."""
        if not self.usable or self._secret is None:
            return False, None, ()
        path = self._path(key)
        try:
            blob = path.read_bytes()
        except OSError:
            return False, None, ()
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + _DIGEST:
            return False, None, ()
        mac = blob[len(_MAGIC) : len(_MAGIC) + _DIGEST]
        payload = blob[len(_MAGIC) + _DIGEST :]
        expected = hmac.new(self._secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, expected):
            return False, None, ()
        try:
            dependencies, outcome = pickle.loads(payload)  # noqa: S301 - authenticated above
        except Exception:  # noqa: BLE001 - an entry boundary wrote but cannot read back is a miss
            return False, None, ()
        if any(_digest(dep) != digest for dep, digest in dependencies):
            return False, None, ()
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first when pruning
        return True, outcome, tuple(dependencies)

    def put(self, key: str, outcome: Any, dependencies: Sequence[Dependency]) -> None:
        if not self.usable or self._secret is None:
            return
        try:
            payload = pickle.dumps((tuple(dependencies), outcome), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an outcome that cannot be pickled is just not cached
            return
        mac = hmac.new(self._secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()
        path = self._path(key)
        try:
            path.parent.mkdir(exist_ok=True, mode=0o700)
            _write_atomically(path, _MAGIC + mac + payload)
        except OSError:
            return
        self.written += 1

    def prune(self) -> None:
        """Delete least recently used entries until the folder is under 80 % of `max_bytes`."""
        if not self.usable or not self.written:
            return
        entries: list[tuple[float, int, Path]] = []
        total = 0
        for root, _dirs, files in os.walk(self.directory / _ENTRIES):
            for name in files:
                path = Path(root, name)
                try:
                    info = path.stat()
                except OSError:
                    continue
                entries.append((info.st_mtime, info.st_size, path))
                total += info.st_size
        if total <= self.max_bytes:
            return
        for _mtime, size, path in sorted(entries):
            if total <= self.max_bytes * 0.8:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size


@functools.cache
def _code_fingerprint() -> str:
    """What else decides a loaded model: boundary's own code (a development install keeps its
    version number while the model changes), the SAM translator's version and Python's."""
    import boundary

    try:
        from importlib.metadata import version

        translator = version("aws-sam-translator")
    except Exception:  # noqa: BLE001 - not installed as a distribution: its version is unknown
        translator = "?"
    digest = hashlib.sha256(f"{translator}\0{sys.version_info[:2]}\0".encode())
    package = Path(boundary.__file__).parent
    for path in sorted(package.rglob("*.py")):
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _private(directory: Path) -> bool:
    """Whether only the current user can write to the cache folder (POSIX; always on Windows)."""
    if sys.platform == "win32" or not hasattr(os, "getuid"):
        return True
    info = directory.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _secret(path: Path) -> bytes | None:
    """The folder's HMAC key: created once (atomically, 0600), then read."""
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(32))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)  # first writer wins; never replaces an existing key
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    if hasattr(os, "getuid"):
        info = path.stat()
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return None
    secret = path.read_bytes()
    return secret if len(secret) == 32 else None


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
