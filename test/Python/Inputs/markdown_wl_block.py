"""Prints whether the first ```wl block of a markdown file is the given .wl file,
comments and whitespace aside (tutorial.test keeps docs/tutorial.md in sync)."""
import re
import sys


def tokens(text):
    lines = (line.split("//")[0] for line in text.splitlines())
    return [word for line in lines for word in line.split()]


block = re.search(r"^```wl\n(.*?)^```", open(sys.argv[1]).read(), re.S | re.M)
print("same model", block is not None and tokens(block.group(1)) == tokens(open(sys.argv[2]).read()))
