"""wl.text: character-level text for token models: reading text, the vocabulary, the
90/10 split into training and validation windows, checkpoints that carry the
vocabulary, and sampling.

    text = wl.text.read_text("book.txt")             # or wl.text.read_fortunes()
    data = wl.text.TextData(text, T=lib.sequence_length)
    x, y = data.train_batch(rng, 32)                 # int32 [32, T], next characters
    wl.text.save_checkpoint(model, "m.safetensors", data.vocab, source)
    vocab = wl.text.Vocabulary.from_metadata(wl.safetensors.load_metadata("m.safetensors"))
    print(wl.text.sample(model, vocab, "The ", 200, temperature=0.8, seed=1))

The vocabulary is the sorted set of characters of the TRAINING text plus one reserved
"unknown" id (the last one), which every other character encodes to (characters of the
validation text or of a prompt that the training text lacks). A checkpoint carries it as
safetensors metadata: "wl.vocab" (a JSON list of the characters, id order), "wl.unknown"
(the unknown id) and "wl.source" (the .wl model's text, so the checkpoint alone can be
compiled again); wl_load ignores metadata it does not know.
"""
import argparse
import json
import os
import sys
import tempfile
import warnings

import numpy as np

from . import _abi, _compile, safetensors

__all__ = ["TextError", "Vocabulary", "TextData", "read_text", "read_fortunes",
           "fortune_files", "split_point", "validation_windows", "save_checkpoint",
           "sample", "FORTUNES_DIR", "FORTUNES_PACKAGE", "UNKNOWN_CHAR"]

FORTUNES_DIR = "/usr/share/games/fortunes"
FORTUNES_PACKAGE = "fortunes"
#: how decode() shows the unknown id (and any id beyond the vocabulary)
UNKNOWN_CHAR = "\ufffd"
#: the share of the characters that trains; the rest (the end of the text) validates
TRAIN_FRACTION = (9, 10)


class TextError(ValueError):
    """A text or vocabulary problem, with a one-line message for the user."""


# --------------------------------------------------------------------------
# Reading text
# --------------------------------------------------------------------------


def decode_text(data, where):
    """`data` (bytes) as a str; TextError for an empty or binary (NUL bytes, not UTF-8) input."""
    if not data:
        raise TextError("%s: empty file: no text to train on" % where)
    nul = data.find(b"\0")
    if nul >= 0:
        raise TextError("%s: a binary file (NUL byte at offset %d), not UTF-8 text" % (where, nul))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TextError("%s: not UTF-8 text (byte 0x%02x at offset %d is invalid)"
                        % (where, data[e.start], e.start)) from None


def read_text(path):
    """The UTF-8 text of the file `path` (TextError when it is missing, empty or binary)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise TextError("%s: cannot read (%s)" % (path, e.strerror or e)) from None
    return decode_text(data, path)


def fortune_files(directory=FORTUNES_DIR):
    """The fortune text files of `directory`, sorted by name: regular files only (not the
    .dat indexes, not the .u8 links, no symbolic links or directories)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    files = []
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith((".dat", ".u8")) or os.path.islink(path) or not os.path.isfile(path):
            continue
        files.append(path)
    return files


def read_fortunes(directory=FORTUNES_DIR):
    """Every fortune file of `directory` (Debian's fortunes package) concatenated in file-name
    order; TextError naming the package when there are none."""
    files = fortune_files(directory)
    if not files:
        raise TextError("%s: no fortune files: install Debian's %s package (apt-get install %s)"
                        % (directory, FORTUNES_PACKAGE, FORTUNES_PACKAGE))
    return "".join(read_text(f) for f in files)


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------


class Vocabulary:
    """Characters <-> ids: ids 0..len(chars)-1 are `chars` in order, id len(chars) is the
    reserved unknown id that every other character encodes to."""

    def __init__(self, chars):
        chars = list(chars)
        if not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise TextError("a vocabulary is a list of single characters")
        if len(set(chars)) != len(chars):
            raise TextError("a vocabulary lists each character once")
        self.chars = chars
        self.unknown = len(chars)
        self._index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text):
        """The sorted unique characters of `text`."""
        return cls(sorted(set(text)))

    @property
    def size(self):
        """The ids it uses: the characters plus the unknown id."""
        return len(self.chars) + 1

    def encode(self, text):
        """int32 ids of the characters of `text` (unknown characters: self.unknown)."""
        index, unknown = self._index, self.unknown
        return np.fromiter((index.get(c, unknown) for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids):
        """The characters of `ids`; the unknown id (or one beyond) shows as UNKNOWN_CHAR."""
        chars = self.chars
        return "".join(chars[i] if 0 <= i < len(chars) else UNKNOWN_CHAR for i in map(int, ids))

    def metadata(self):
        """The safetensors metadata that stores it ({str: str})."""
        return {"wl.vocab": json.dumps(self.chars), "wl.unknown": str(self.unknown)}

    @classmethod
    def from_metadata(cls, meta, where="the checkpoint"):
        """The vocabulary stored by metadata(); TextError when there is none or it is invalid."""
        if "wl.vocab" not in meta:
            raise TextError("%s has no vocabulary (no \"wl.vocab\" metadata): it was not written "
                            "by wl-train on a text dataset" % where)
        try:
            chars = json.loads(meta["wl.vocab"])
            vocab = cls(chars if isinstance(chars, list) else None)
        except (ValueError, TypeError):
            raise TextError("%s: \"wl.vocab\" is not a JSON list of characters" % where) from None
        if meta.get("wl.unknown", str(vocab.unknown)) != str(vocab.unknown):
            raise TextError("%s: \"wl.unknown\" is %r, but the vocabulary's unknown id is %d"
                            % (where, meta["wl.unknown"], vocab.unknown))
        return vocab


# --------------------------------------------------------------------------
# Training and validation windows
# --------------------------------------------------------------------------


def split_point(n):
    """Characters [0, split_point(n)) train, the rest validate (the first 90%)."""
    num, den = TRAIN_FRACTION
    return n * num // den


def validation_windows(n, T, limit=None):
    """Windows over `n` validation ids for a context of T: (starts, first). Window k reads
    ids[s:s+T] and predicts ids[s+1:s+T+1] (s = starts[k]). They are consecutive and do not
    overlap, except the last one, aligned to the end; first[k] is the first position of
    window k that no earlier window predicts, so that the positions from first[k] on predict
    every id 1..n-1 exactly once. `limit`: at most that many, evenly spaced (first[k] = 0
    then, unless they overlap)."""
    if n < T + 1:
        raise TextError("%d validation characters are fewer than one window of %d" % (n, T + 1))
    starts = list(range(0, n - T - 1, T)) + [n - T - 1]
    if limit is not None and limit < len(starts):
        starts = [starts[k * len(starts) // limit] for k in range(limit)]
    first = [0] + [max(0, prev + T - s) for prev, s in zip(starts, starts[1:])]
    return np.array(starts, np.int64), np.array(first, np.int64)


class TextData:
    """A text split for a model of context T: train_text and val_text (the first 90% of the
    characters and the rest), vocab (of train_text), train_ids and val_ids (int32)."""

    def __init__(self, text, T, where="the text"):
        n = len(text)
        need = 10 * T + 1  # so that the last 10% holds one window of T + 1
        if n < need:
            raise TextError("%s: %d characters are too few for the model's context of %d: "
                            "the validation split (the last 10%%) needs one window of %d "
                            "characters, so the text needs at least %d"
                            % (where, n, T, T + 1, need))
        cut = split_point(n)
        self.T = T
        self.train_text, self.val_text = text[:cut], text[cut:]
        self.vocab = Vocabulary.from_text(self.train_text)
        self.train_ids = self.vocab.encode(self.train_text)
        self.val_ids = self.vocab.encode(self.val_text)

    def train_batch(self, rng, batch):
        """`batch` random windows of the training ids (x, y), int32 [batch, T] each: y is x
        shifted by one character. Starts are drawn from `rng` (a numpy Generator)."""
        T = self.T
        starts = rng.integers(0, len(self.train_ids) - T, size=batch)
        idx = starts[:, None] + np.arange(T)
        return self.train_ids[idx], self.train_ids[idx + 1]

    def windows(self, starts):
        """The validation windows starting at `starts`: (x, y), int32 [len(starts), T]."""
        idx = np.asarray(starts)[:, None] + np.arange(self.T)
        return self.val_ids[idx], self.val_ids[idx + 1]


# --------------------------------------------------------------------------
# Checkpoints and sampling
# --------------------------------------------------------------------------


def save_checkpoint(model, path, vocab, source=None):
    """model.save(path) with the vocabulary (and the .wl `source`, when given) added to its
    metadata; written atomically (model.save into a temporary file, then save_file)."""
    path = os.fspath(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp",
                               dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    try:
        model.save(tmp)
        meta = safetensors.load_metadata(tmp)
        meta.update(vocab.metadata())
        if source is not None:
            meta["wl.source"] = source
        safetensors.save_file(safetensors.load_file(tmp), path, metadata=meta)
    finally:
        os.unlink(tmp)


def sample(model, vocab, prompt, n, temperature=1.0, seed=0):
    """`n` characters generated after `prompt` (Model.generate on the prompt's ids; prompt
    characters outside the vocabulary read as the unknown id). Only the vocabulary's
    characters are sampled, never the unknown id. Returns the generated text (without the
    prompt)."""
    if not prompt:
        raise TextError("the prompt must hold at least one character")
    ids = model.generate(vocab.encode(prompt), n, temperature=temperature, seed=seed,
                         vocab_size=len(vocab.chars))
    return vocab.decode(ids)


def default_prompt(vocab):
    """A newline when the vocabulary has one (a text starts afresh after it), else its first
    character."""
    return "\n" if "\n" in vocab.chars else vocab.chars[0]


# --------------------------------------------------------------------------
# wl-sample
# --------------------------------------------------------------------------


class SampleError(Exception):
    """An error with a message for the user (printed as `wl-sample: error: ...`)."""


def checkpoint_library(path, meta, model_file=None, cache_dir=None):
    """The compiled library of a checkpoint's model: `model_file` when given, else the source
    the checkpoint carries ("wl.source"), compiled with wl.compile (cached by content)."""
    name = meta.get("model")

    def compile_file(wl_file):
        # The model by name only where the file has several: as wl-train compiled it, so
        # that wl.compile finds its library in the cache.
        with open(wl_file, "rb") as f:
            names, _ = _compile._scan(f.read())
        return _compile.compile(wl_file, model=None if names == [name] else name,
                                cache_dir=cache_dir)

    if model_file is not None:
        return compile_file(model_file)
    source = meta.get("wl.source")
    if source is None:
        raise SampleError("%s does not carry its model's source (no \"wl.source\" metadata): "
                          "pass the .wl file with --model" % path)
    with tempfile.TemporaryDirectory(prefix="wl-sample-") as d:
        wl_file = os.path.join(d, "%s.wl" % (name or "model"))
        with open(wl_file, "w", encoding="utf-8", newline="") as f:
            f.write(source)
        return compile_file(wl_file)


def sample_checkpoint(path, prompt=None, n=300, temperature=1.0, seed=0, model_file=None,
                      cache_dir=None):
    """(prompt, generated text) of the checkpoint at `path` (written by wl-train on a text
    dataset): its model compiled (model_file, else its "wl.source"), its parameters loaded,
    `n` characters sampled after `prompt` (default_prompt when None)."""
    try:
        meta = safetensors.load_metadata(path)
    except (OSError, ValueError) as e:
        raise SampleError("%s: cannot read the checkpoint (%s)"
                          % (path, e.strerror if isinstance(e, OSError) and e.strerror else e))
    vocab = Vocabulary.from_metadata(meta, path)
    lib = checkpoint_library(path, meta, model_file, cache_dir)
    with lib.create(seed=0) as model:
        model.load(path)
        if prompt is None:
            prompt = default_prompt(vocab)
        return prompt, sample(model, vocab, prompt, n, temperature=temperature, seed=seed)


def _sample_parser():
    def count(text):
        if not text.isdigit():
            raise argparse.ArgumentTypeError("must be an integer >= 0 (got %r)" % text)
        return int(text)

    def temperature(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not a number: %r" % text)
        if not (v >= 0 and v < float("inf")):
            raise argparse.ArgumentTypeError("must be a number >= 0 (got %s)" % text)
        return v

    p = argparse.ArgumentParser(
        prog="wl-sample",
        description="Generate text with a character-level model trained by wl-train on a text "
                    "dataset: prints the prompt and the generated characters (UTF-8). The "
                    "checkpoint carries the vocabulary and the model's source; the model is "
                    "compiled with wl.compile (cached).")
    p.add_argument("checkpoint", metavar="CHECKPOINT",
                   help="model.safetensors written by wl-train --dataset fortunes|text:PATH")
    p.add_argument("--prompt", default=None, metavar="TEXT",
                   help="the text to continue (default a newline, or the vocabulary's first "
                        "character when it has none)")
    p.add_argument("--chars", type=count, default=300, metavar="N",
                   help="characters to generate (default 300)")
    p.add_argument("--temperature", type=temperature, default=1.0, metavar="T",
                   help="softmax temperature (default 1; 0: always the most likely character)")
    p.add_argument("--seed", type=count, default=0, metavar="S",
                   help="seed of the draws (default 0): one seed, one text")
    p.add_argument("--model", default=None, metavar="FILE.wl",
                   help="compile this .wl file instead of the source the checkpoint carries")
    p.add_argument("--cache-dir", default=None, metavar="D",
                   help="wl.compile's cache of compiled libraries")
    return p


def main(argv=None):
    """wl-sample's command line; the exit status (0, 1 on any error, 2 on bad arguments)."""
    args = _sample_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _compile.CompileWarning)
            prompt, generated = sample_checkpoint(args.checkpoint, args.prompt, args.chars,
                                                  args.temperature, args.seed, args.model,
                                                  args.cache_dir)
    except (SampleError, TextError, _abi.WLError, OSError) as e:
        sys.stderr.write("wl-sample: error: %s\n" % e)
        return 1
    except _compile.CompileError as e:
        sys.stderr.write("wl-sample: error: cannot compile the checkpoint's model:\n%s\n" % e)
        return 1
    sys.stdout.flush()
    sys.stdout.buffer.write((prompt + generated + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
