"""Keeps docs/*.md, docs/examples/ and test/Docs/examples.test in sync.

    check_docs.py REPO_ROOT WLC

1. Quoted files: a fenced block whose first line is a comment naming a file
   under docs/examples/ (`// docs/examples/dense.wl`, `/* docs/examples/abi_example.c`)
   must equal that file exactly.
2. Coverage: every file under docs/examples/ is quoted by some block; every
   docs/examples/*.wl is compiled by test/Docs/examples.test; every
   docs/examples/unsupported/*.wl is run by some transcript.
3. Transcripts: in a ```console block, each line `$ wlc ARGS` is run (WLC, in a
   scratch directory where `docs` links to REPO_ROOT/docs, stdout and stderr
   together) and its output must equal the lines up to the next `$ ` line
   (trailing blanks ignored). Other commands are skipped.
Prints one OK line per check, every mismatch as a diff; exits 1 on any mismatch.
"""
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
QUOTED = re.compile(r"^(?://|/\*|#) ?(docs/examples/[\w./-]+)")


def blocks(root):
    """(markdown file, line, language, text) of every fenced block of docs/*.md."""
    docs = os.path.join(root, "docs")
    for name in sorted(os.listdir(docs)):
        if not name.endswith(".md"):
            continue
        text = open(os.path.join(docs, name), encoding="utf-8").read()
        for m in FENCE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            yield "docs/" + name, line, m.group(1), m.group(2)


def diff(expected, actual, a, b):
    return "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), a, b))


def run_transcript(wlc, where, text, scratch, ran):
    """Checks every `$ wlc ...` command of a console block; returns the failures."""
    failures = []
    commands = []
    for line in text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    for command, expected in commands:
        argv = shlex.split(command)
        if not argv or argv[0] != "wlc":
            print("SKIP transcript %s: not a wlc command: %s" % (where, command))
            continue
        ran.update(a for a in argv if a.startswith("docs/examples/unsupported/"))
        proc = subprocess.run([wlc] + argv[1:], cwd=scratch, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)
        clean = lambda lines: "\n".join(l.rstrip() for l in lines).strip("\n") + "\n"
        want, got = clean(expected), clean(proc.stdout.splitlines())
        if want != got:
            failures.append("%s: output of `%s` differs:\n%s" %
                            (where, command, diff(want, got, "documented", "wlc")))
        else:
            print("OK transcript %s: %s" % (where, command))
    return failures


def main():
    root, wlc = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="wl-docs-") as scratch:
        os.symlink(os.path.join(root, "docs"), os.path.join(scratch, "docs"))
        failures, quoted, ran, transcripts = check_blocks(root, wlc, scratch)
    report(root, failures, quoted, ran, transcripts)


def check_blocks(root, wlc, scratch):
    """Checks the quoted files and transcripts of docs/*.md."""
    failures, quoted, ran, transcripts = [], set(), set(), 0
    for md, line, lang, text in blocks(root):
        where = "%s:%d" % (md, line)
        first = text.split("\n", 1)[0]
        m = QUOTED.match(first)
        if m:
            rel = m.group(1)
            path = os.path.join(root, rel)
            if not os.path.isfile(path):
                failures.append("%s: quotes %s, which does not exist" % (where, rel))
                continue
            content = open(path, encoding="utf-8").read()
            if content != text:
                failures.append("%s: the block differs from %s (update one of them):\n%s" %
                                (where, rel, diff(content, text, rel, where)))
            else:
                print("OK quoted %s at %s" % (rel, where))
            quoted.add(rel)
        elif lang == "console":
            transcripts += 1
            failures += run_transcript(wlc, where, text, scratch, ran)
    return failures, quoted, ran, transcripts


def report(root, failures, quoted, ran, transcripts):
    """Checks coverage, prints the failures and the summary, exits 1 on any failure."""
    examples = os.path.join(root, "docs", "examples")
    files = sorted(os.path.relpath(os.path.join(d, f), root)
                   for d, _, fs in os.walk(examples) for f in fs)
    test = open(os.path.join(root, "test", "Docs", "examples.test"), encoding="utf-8").read()
    for rel in files:
        if rel not in quoted:
            failures.append("%s is not quoted in any docs/*.md" % rel)
        if rel.endswith(".wl"):
            if os.path.dirname(rel) == "docs/examples" and rel not in test:
                failures.append("%s is not compiled by test/Docs/examples.test" % rel)
            if os.path.dirname(rel) == "docs/examples/unsupported" and rel not in ran:
                failures.append("%s is not run by any transcript" % rel)
    for f in failures:
        print("FAIL " + f)
    print("%d example files, %d quoted, %d transcripts, %d failures" %
          (len(files), len(quoted), transcripts, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
