#!/usr/bin/env python3
"""Builds a seed corpus for one of the fuzz targets (test/fuzz/README.md).

    make-corpus.py frontend SRC_ROOT OUT   # .wl seeds
    make-corpus.py load SRC_ROOT OUT       # committed checkpoint seeds

frontend: every examples/*.wl and test/**/*.wl file, every ```wl block of
docs/*.md, and test/fuzz/corpus/frontend/*. load: test/fuzz/corpus/load/*
(the valid and truncated checkpoints come from `WL_FUZZ_LOAD_SEEDS=OUT
wl-fuzz-load`, which writes them with the runtime itself). OUT is created if
needed; files are copied flat under unique names.
"""
import glob
import os
import re
import shutil
import sys


def flat_name(root, path):
    return os.path.relpath(path, root).replace(os.sep, "__")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("frontend", "load"):
        sys.exit(__doc__)
    kind, root, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    count = 0
    sources = []
    if kind == "frontend":
        sources += sorted(glob.glob(os.path.join(root, "examples", "*.wl")))
        sources += sorted(glob.glob(os.path.join(root, "test", "**", "*.wl"), recursive=True))
    sources += sorted(glob.glob(os.path.join(root, "test", "fuzz", "corpus", kind, "*")))
    for path in sources:
        if os.path.isfile(path) and not path.endswith("README.md"):
            shutil.copyfile(path, os.path.join(out, flat_name(root, path)))
            count += 1
    if kind == "frontend":
        fence = re.compile(r"^```wl[^\n]*\n(.*?)^```", re.M | re.S)
        for md in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
            with open(md, encoding="utf-8") as f:
                blocks = fence.findall(f.read())
            for i, block in enumerate(blocks):
                name = "%s__%d.wl" % (flat_name(root, md), i)
                with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                    f.write(block)
                count += 1
    if count == 0 and kind == "frontend":
        sys.exit("make-corpus.py: no seeds found under %s" % root)
    print("make-corpus.py: %d %s seeds in %s" % (count, kind, out))


if __name__ == "__main__":
    main()
