"""text_make.py DIR: the texts of train_text.test: corpus.txt (about 20,000 characters of
sentences drawn from a small word list with a fixed seed: patterns a tiny model learns in
a few steps), empty.txt, binary.bin (NUL bytes), wide.txt (100 distinct characters: more
than a model of V = 64 takes) and short.txt (fewer than ten windows)."""
import os
import random
import sys

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
rng = random.Random(1)
words = ("the cat sat on a mat and the dog ran to the red barn while a bird sang "
         "of rain in the old green wood").split()
lines = []
while sum(len(l) + 1 for l in lines) < 20000:
    n = rng.randint(4, 9)
    lines.append(" ".join(rng.choice(words) for _ in range(n)).capitalize() + ".")
files = {
    "corpus.txt": ("\n".join(lines) + "\n").encode("utf-8"),
    "empty.txt": b"",
    "binary.bin": bytes(range(256)) * 8,
    "wide.txt": "".join(chr(0x100 + i % 100) for i in range(5000)).encode("utf-8"),
    "short.txt": b"too short for sixteen\n" * 5,
}
for name, data in files.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
