"""wl.text (text_data.test): the 90/10 split, the vocabulary of the training text with its
unknown id, validation windows that predict every validation character once, seeded
training windows, the reading errors, the fortune files, and the vocabulary's metadata.
Model.generate, wl.text.sample and save_checkpoint run on the runtime's fake token model
(argv[1], T = 4, token limit 5, 3 classes); argv[2] is a scratch directory."""
import os
import sys

import numpy as np

import wl
import wl.text as wt
from pycheck import check, guarded, raises

FAKE, TMP = sys.argv[1], sys.argv[2]


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def split_and_vocabulary():
    # 1003 characters: 902 train (1003 * 9 // 10), 101 validation; "Z" and "é" only in the
    # validation part, "q" only in the training part.
    train = ("abc q\n" * 200)[:902]
    val = ("cab Z é\n" * 20)[:101]
    data = wt.TextData(train + val, T=4)
    check("split", data.train_text == train and data.val_text == val and
          len(data.train_ids) == 902 and len(data.val_ids) == 101,
          (len(data.train_text), len(data.val_text)))
    check("vocab_train_only", data.vocab.chars == sorted(set(train)) and "Z" not in data.vocab.chars
          and "é" not in data.vocab.chars and "q" in data.vocab.chars, data.vocab.chars)
    v = data.vocab
    check("unknown_id", v.unknown == len(v.chars) and v.size == len(v.chars) + 1, v.unknown)
    unknown_at = [i for i, c in enumerate(val) if c not in v.chars]
    check("val_unknown", unknown_at and all(data.val_ids[i] == v.unknown for i in unknown_at) and
          all(data.val_ids[i] == v.chars.index(c) for i, c in enumerate(val) if c in v.chars))
    check("round_trip", v.decode(data.train_ids) == train and
          v.decode([v.unknown, 999]) == wt.UNKNOWN_CHAR * 2)
    check("split_point", [wt.split_point(n) for n in (10, 11, 19, 1003)] == [9, 9, 17, 902])


def validation_windows():
    ok, detail = True, ""
    for n in list(range(5, 40)) + [101, 1000]:
        for T in (1, 2, 3, 4, 7):
            if n < T + 1:
                continue
            starts, first = wt.validation_windows(n, T)
            predicted = [s + 1 + j for s, f in zip(starts, first) for j in range(f, T)]
            consecutive = all(b - a == T for a, b in zip(starts[:-2], starts[1:-1]))
            if (sorted(predicted) != list(range(1, n)) or starts[0] != 0 or
                    starts[-1] != n - T - 1 or not consecutive or
                    len(starts) != -(-(n - 1) // T)):
                ok, detail = False, "n %d T %d: starts %s first %s" % (n, T, starts, first)
    check("val_windows_cover", ok, detail)
    starts, first = wt.validation_windows(1000, 4, limit=10)
    everything, _ = wt.validation_windows(1000, 4)
    check("val_windows_limit", len(starts) == 10 and set(starts) <= set(everything) and
          all(np.diff(starts) > 0) and np.ptp(np.diff(starts)) <= 4 and not first.any(),
          (starts, first))
    check("val_windows_limit_all",
          np.array_equal(wt.validation_windows(30, 4, limit=100)[0], wt.validation_windows(30, 4)[0]))
    data = wt.TextData("abcdefghij" * 10, T=3)
    x, y = data.windows(np.array([0, 3]))
    check("val_window_content", np.array_equal(x[1], data.val_ids[3:6]) and
          np.array_equal(y[1], data.val_ids[4:7]))


def training_windows():
    data = wt.TextData("".join(chr(97 + (i * 7) % 26) for i in range(2000)), T=8)
    a = data.train_batch(np.random.default_rng(5), 16)
    b = data.train_batch(np.random.default_rng(5), 16)
    c = data.train_batch(np.random.default_rng(6), 16)
    check("train_seeded", np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and
          not np.array_equal(a[0], c[0]))
    x, y = a
    ids = data.train_ids
    contiguous = all(any(np.array_equal(x[r], ids[s:s + 8]) and np.array_equal(y[r], ids[s + 1:s + 9])
                         for s in range(len(ids) - 8)) for r in range(4))
    check("train_windows", x.shape == (16, 8) and y.shape == (16, 8) and x.dtype == np.int32 and
          np.array_equal(x[:, 1:], y[:, :-1]) and contiguous)
    rng = np.random.default_rng(0)
    last = max(int(data.train_batch(rng, 64)[1].max()) for _ in range(50))
    check("train_in_range", last < data.vocab.unknown)


def reading_errors():
    raises("empty", wt.TextError, wt.read_text, write("empty.txt", b""), contains=["empty file"])
    raises("binary", wt.TextError, wt.read_text, write("bin.dat", b"\x7fELF\x02\x01\x00\x00"),
           contains=["bin.dat", "binary file", "NUL byte at offset 6"])
    raises("not_utf8", wt.TextError, wt.read_text, write("latin1.txt", "caf\xe9".encode("latin-1")),
           contains=["latin1.txt", "not UTF-8", "0xe9 at offset 3"])
    raises("missing", wt.TextError, wt.read_text, os.path.join(TMP, "nothing.txt"),
           contains=["nothing.txt", "cannot read"])
    check("utf8", wt.read_text(write("ok.txt", "héllo 😀\n".encode("utf-8"))) == "héllo 😀\n")
    raises("too_short", wt.TextError, wt.TextData, "x" * 160, 16, "short.txt",
           contains=["short.txt", "160 characters", "at least 161"])
    check("just_long_enough", len(wt.TextData("x" * 161, 16).val_ids) == 17)


def fortunes():
    d = os.path.join(TMP, "fortunes")
    os.makedirs(os.path.join(d, "off"))
    for name, text in (("zoo", "Z\n%\n"), ("art", "A\n%\n"), ("off/rude", "R\n")):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    for name in ("art.dat", "zoo.dat"):
        write(os.path.join("fortunes", name), b"\x00\x00\x00\x02binary index")
    os.symlink("art", os.path.join(d, "art.u8"))
    os.symlink("off/rude", os.path.join(d, "rude"))
    check("fortune_files", [os.path.basename(f) for f in wt.fortune_files(d)] == ["art", "zoo"],
          wt.fortune_files(d))
    check("fortunes_text", wt.read_fortunes(d) == "A\n%\nZ\n%\n", repr(wt.read_fortunes(d)))
    raises("fortunes_missing", wt.TextError, wt.read_fortunes, os.path.join(TMP, "none"),
           contains=["no fortune files", "install Debian's fortunes package",
                     "apt-get install fortunes"])


def metadata():
    v = wt.Vocabulary(["\n", " ", "a", "é", "😀", '"'])
    meta = v.metadata()
    back = wt.Vocabulary.from_metadata(meta)
    check("vocab_metadata", back.chars == v.chars and back.unknown == 6 and
          meta["wl.unknown"] == "6", meta)
    raises("no_vocab", wt.TextError, wt.Vocabulary.from_metadata, {"format": "wl"}, "x.safetensors",
           contains=["x.safetensors has no vocabulary"])
    raises("bad_vocab", wt.TextError, wt.Vocabulary.from_metadata, {"wl.vocab": "[1, 2]"},
           contains=["not a JSON list of characters"])


def generate():
    lib = wl.load_library(FAKE)
    T, V = lib.output_shape
    m = lib.create(seed=3)
    prompt = np.array([1, 4, 0], np.int32)
    a = m.generate(prompt, 40, temperature=1.0, seed=7)
    b = m.generate(prompt, 40, temperature=1.0, seed=7)
    c = m.generate(prompt, 40, temperature=1.0, seed=8)
    check("generate_seeded", np.array_equal(a, b) and a.dtype == np.int32 and a.shape == (40,))
    check("generate_seeds_differ", not np.array_equal(a, c))
    check("generate_range", a.min() >= 0 and a.max() < V)
    # Temperature 0: the argmax at the last real position of a left-aligned window.
    seq, want = [1, 4, 0], []
    for _ in range(10):
        ctx = seq[-T:]
        window = np.zeros((1, T), np.int32)
        window[0, :len(ctx)] = ctx
        nxt = int(np.argmax(m.forward(window)[0, len(ctx) - 1]))
        seq.append(nxt)
        want.append(nxt)
    got = m.generate([1, 4, 0], 10, temperature=0)
    check("generate_greedy", list(got) == want, (list(got), want))
    check("generate_greedy_seed_free", np.array_equal(got, m.generate([1, 4, 0], 10, 0, seed=99)))
    long_prompt = np.array([2, 2, 1, 3, 0, 4, 1], np.int64)
    check("generate_context", np.array_equal(m.generate(long_prompt, 5, 0),
                                             m.generate(long_prompt[-T:], 5, 0)))
    check("generate_vocab_size", m.generate(prompt, 200, 2.0, seed=1, vocab_size=2).max() < 2)
    # A high temperature spreads the draws over every class, a low one does not.
    hot = m.generate([0], 300, temperature=50.0, seed=2)
    check("generate_temperature", len(set(hot.tolist())) == V)
    check("generate_zero", m.generate(prompt, 0).shape == (0,))
    raises("generate_empty", ValueError, m.generate, np.array([], np.int32), 3,
           contains=["non-empty"])
    raises("generate_temperature_neg", ValueError, m.generate, prompt, 3, temperature=-1)
    raises("generate_vocab_range", ValueError, m.generate, prompt, 3, vocab_size=V + 1)
    return lib, m


def checkpoint(lib, m):
    vocab = wt.Vocabulary(["a", "b"])  # ids 0, 1 and the unknown id 2: the fake's 3 classes
    m.train_step(np.array([[0, 1, 0, 1]], np.int32), np.array([[1, 0, 1, 2]], np.int32))
    path = os.path.join(TMP, "ckpt.safetensors")
    wt.save_checkpoint(m, path, vocab, source="model faketok { }  // é")
    meta = wl.safetensors.load_metadata(path)
    check("ckpt_metadata", meta.get("format") == "wl" and meta.get("model") == "faketok" and
          meta.get("wl.source") == "model faketok { }  // é" and
          wt.Vocabulary.from_metadata(meta).chars == ["a", "b"], meta)
    check("ckpt_no_leftovers", sorted(os.listdir(TMP)).count("ckpt.safetensors") == 1 and
          not [n for n in os.listdir(TMP) if n.endswith(".tmp")], os.listdir(TMP))
    fresh = lib.create(seed=11)
    x = np.array([[0, 1, 2, 1], [2, 2, 0, 1]], np.int32)
    before = np.array_equal(fresh.forward(x), m.forward(x))
    fresh.load(path)
    check("ckpt_load", not before and np.array_equal(fresh.forward(x), m.forward(x)) and
          fresh.step_count == m.step_count == 1, (before, fresh.step_count))
    s1 = wt.sample(fresh, vocab, "ab", 30, temperature=1.0, seed=4)
    s2 = wt.sample(m, vocab, "ab", 30, temperature=1.0, seed=4)
    check("sample_text", s1 == s2 and len(s1) == 30 and set(s1) <= {"a", "b"}, repr(s1))
    check("sample_unknown_prompt", len(wt.sample(m, vocab, "zz?", 5, seed=0)) == 5)


def main():
    split_and_vocabulary()
    validation_windows()
    training_windows()
    reading_errors()
    fortunes()
    metadata()
    checkpoint(*generate())


guarded(main)
