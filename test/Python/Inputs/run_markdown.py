"""Runs the ```python blocks of a markdown file, in order, as one script.

argv: the markdown file, the directory to run in. Used by tutorial.test so that
the tutorial's code keeps working.
"""
import re
import sys

text = open(sys.argv[1]).read()
blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
if not blocks:
    sys.exit("no python blocks in %s" % sys.argv[1])
import os
os.chdir(sys.argv[2])
code = "\n".join(blocks)
exec(compile(code, sys.argv[1], "exec"), {"__name__": "__main__"})
print("ran %d blocks" % len(blocks))
