"""wl.compile: runs wlc on a .wl file and caches the library by content hash."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import warnings

from ._abi import load_library

__all__ = ["compile", "CompileError", "CompileWarning", "find_wlc", "default_cache_dir"]

_KEY_FORMAT = b"wl-compile-cache-1"
_MAX_HEADER = 100 << 20  # the runtime's limit on a safetensors header


class CompileError(Exception):
    """wlc rejected the model (or could not run). ``message`` is wlc's stderr
    ("file:line:col: error: ..." with the source line and a caret); ``returncode`` and
    ``command`` (the argv list) say how wlc was run."""

    def __init__(self, message, returncode=None, command=None):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = command

    def __str__(self):
        return self.message

    def __reduce__(self):
        return (type(self), (self.message, self.returncode, self.command))


class CompileWarning(UserWarning):
    """wlc succeeded but printed warnings (issued once, when it actually runs)."""


def default_cache_dir():
    """$WL_CACHE_DIR, else ~/.cache/wl."""
    d = os.environ.get("WL_CACHE_DIR")
    return d if d else os.path.join(os.path.expanduser("~"), ".cache", "wl")


def find_wlc():
    """The wlc executable: $WLC (a path, or a name looked up on PATH), else the one
    beside the package (the source tree's build/bin/wlc when the package is
    runtime/python/wl; <prefix>/bin/wlc when installed under
    <prefix>/lib/python3/dist-packages/wl), else `wlc` on PATH."""
    env = os.environ.get("WLC")
    if env:
        exe = env if os.sep in env else shutil.which(env)
        if exe is None or not os.path.isfile(exe) or not os.access(exe, os.X_OK):
            raise FileNotFoundError("$WLC is %r, which is not an executable file" % env)
        return exe
    package = os.path.dirname(os.path.abspath(__file__))
    for beside in (os.path.join(package, "..", "..", "..", "build", "bin", "wlc"),
                   os.path.join(package, "..", "..", "..", "..", "bin", "wlc")):
        beside = os.path.normpath(beside)
        if os.path.isfile(beside) and os.access(beside, os.X_OK):
            return beside
    exe = shutil.which("wlc")
    if exe is None:
        raise FileNotFoundError("cannot find the wlc compiler: set $WLC to its path, build it "
                                "(build/bin/wlc) or put wlc on PATH")
    return exe


# Comments and strings of the .wl lexer (lang/WL.g4): strings may hold "\x" escapes.
_TOKENS = re.compile(r'//[^\r\n]*|/\*.*?\*/|"(?:[^"\\\r\n]|\\[^\r\n])*"', re.S)
_FROM = re.compile(r'\bfrom\s*\(\s*"((?:[^"\\\r\n]|\\[^\r\n])*)"')
_MODEL = re.compile(r'\bmodel\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{')


def _strip_comments(text):
    return _TOKENS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)


def _scan(source):
    """(model names, from() file names) of a .wl source, best effort (keying only)."""
    text = _strip_comments(source.decode("utf-8", errors="replace"))
    files = []
    for m in _FROM.finditer(text):
        f = re.sub(r"\\(.)", r"\1", m.group(1))
        if f not in files:
            files.append(f)
    return _MODEL.findall(text), files


def _stat_id(path):
    st = os.stat(path)
    return "%s\0%d\0%d" % (os.path.realpath(path), st.st_size, st.st_mtime_ns)


def _safetensors_header(path):
    """What a compiled library depends on in a from() file: its path and tensor table (the
    data is read at wl_create, not compiled in). Falls back to size + mtime."""
    try:
        with open(path, "rb") as f:
            raw = f.read(8)
            if len(raw) == 8:
                n = int.from_bytes(raw, "little")
                if n <= _MAX_HEADER:
                    return raw + f.read(n)
        return _stat_id(path).encode()
    except OSError as e:
        return ("unreadable: %s" % e.strerror).encode()


def _runtime_archive(wlc):
    env = os.environ.get("WL_RUNTIME_LIBRARY")
    if env and os.path.exists(env):
        return env
    cand = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(wlc))), "lib", "libwlrt.a")
    return cand if os.path.exists(cand) else None


def _cache_key(source, wl_dir, from_files, wlc, options):
    h = hashlib.sha256()

    def feed(tag, data):
        if isinstance(data, str):
            data = data.encode()
        h.update(tag.encode() + b"\0" + len(data).to_bytes(8, "little") + data)

    feed("format", _KEY_FORMAT)
    feed("source", source)
    for f in from_files:
        # wlc embeds the absolute path (relative to the .wl file's directory).
        p = os.path.normpath(os.path.join(wl_dir, f))
        feed("from", p)
        feed("from-header", _safetensors_header(p))
    feed("wlc", _stat_id(wlc))
    rt = _runtime_archive(wlc)
    feed("runtime", _stat_id(rt) if rt else "")
    env = {k: os.environ.get(k, "") for k in ("CUDA_HOME", "CUDA_PATH")} \
        if options["target"] != "cpu" else {}
    feed("options", json.dumps([options, env], sort_keys=True))
    return h.hexdigest()


def _find_library(d):
    try:
        names = [n for n in os.listdir(d) if n.startswith("lib") and n.endswith(".so")]
    except (FileNotFoundError, NotADirectoryError):
        return None
    return os.path.join(d, names[0]) if len(names) == 1 else None


def compile(path, model=None, target="cpu", lr_scale=1.0, opt_level=2, cache_dir=None):
    """Compiles a .wl model with wlc and loads it (wl.Library), reusing a cached library
    when the source, the safetensors files it reads with from(...), wlc and the options
    are unchanged. Raises wl.CompileError with wlc's stderr when the model is rejected."""
    spath = os.fspath(path)
    if isinstance(spath, bytes):
        spath = os.fsdecode(spath)
    if model is not None and not isinstance(model, str):
        raise TypeError("model must be a str or None (got %s)" % type(model).__name__)
    if not isinstance(target, str) or not target:
        raise TypeError("target must be a non-empty str such as 'cpu' or 'cuda'")
    if isinstance(opt_level, bool) or not isinstance(opt_level, int) or not 0 <= opt_level <= 3:
        raise ValueError("opt_level must be an int in 0..3 (got %r)" % (opt_level,))
    try:
        lr_scale = float(lr_scale)
    except (TypeError, ValueError):
        raise TypeError("lr_scale must be a number (got %r)" % (lr_scale,)) from None
    with open(spath, "rb") as f:  # FileNotFoundError names the path
        source = f.read()
    wlc = find_wlc()
    names, from_files = _scan(source)
    options = {"model": model, "target": target, "lr_scale": repr(lr_scale), "opt_level": opt_level}
    key = _cache_key(source, os.path.dirname(os.path.abspath(spath)), from_files, wlc, options)

    cache_dir = os.path.abspath(os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None
                                                   else default_cache_dir()))
    final = os.path.join(cache_dir, key)
    hit = _find_library(final)
    if hit:
        return load_library(hit)

    os.makedirs(cache_dir, exist_ok=True)
    name = model or (names[0] if names else "model")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        name = "model"
    tmp = tempfile.mkdtemp(prefix=".tmp-%s-" % key[:12], dir=cache_dir)
    try:
        out = os.path.join(tmp, "lib%s.so" % name)
        cmd = [wlc, spath]
        if model is not None:
            cmd.append("--model=%s" % model)
        cmd += ["--target=%s" % target, "-O%d" % opt_level]
        if lr_scale != 1.0:
            cmd.append("--lr-scale=%r" % lr_scale)
        cmd += ["-o", out]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        err = r.stderr.decode("utf-8", errors="replace")
        if r.returncode != 0 or not os.path.isfile(out):
            msg = err.rstrip("\n")
            if r.returncode < 0:
                msg += ("\n" if msg else "") + "wlc was killed by signal %d" % -r.returncode
            elif not msg:
                msg = "wlc exited with status %d and no message" % r.returncode
            raise CompileError(msg, r.returncode, cmd)
        if err.strip():
            warnings.warn(err.rstrip("\n"), CompileWarning, stacklevel=2)
        # wlc writes <model>.h beside the library: the model's real name.
        headers = [n[:-2] for n in os.listdir(tmp) if n.endswith(".h")]
        if len(headers) == 1 and headers[0] != name:
            os.rename(out, os.path.join(tmp, "lib%s.so" % headers[0]))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would hide a shared cache
        with open(os.path.join(tmp, "wlc.json"), "w") as f:
            json.dump({"source": os.path.abspath(spath), "command": cmd, "stderr": err}, f, indent=1)
        try:
            os.rename(tmp, final)  # atomic: readers see all of it or nothing
        except OSError:
            if not _find_library(final):
                # A broken entry (its library removed): move it aside, then retry once.
                trash = tempfile.mkdtemp(prefix=".trash-", dir=cache_dir)
                try:
                    os.rename(final, os.path.join(trash, "old"))
                except OSError:
                    pass
                shutil.rmtree(trash, ignore_errors=True)
                try:
                    os.rename(tmp, final)
                except OSError:
                    pass
            # else another process compiled the same key first: use its library.
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    lib = _find_library(final)
    if lib is None:
        raise CompileError("wlc succeeded but its library could not be stored in %r" % final, 0, cmd)
    return load_library(lib)
