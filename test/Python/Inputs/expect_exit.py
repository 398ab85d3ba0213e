"""expect_exit.py STATUS COMMAND...: runs COMMAND, copies its stdout and stderr to stdout,
and fails unless it exits with STATUS (lit's `not` accepts any failure; this tells an
error's status 1 from a crash)."""
import subprocess
import sys

want = int(sys.argv[1])
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode("utf-8", errors="replace"))
if r.returncode != want:
    print("expect_exit.py: exit status %d, expected %d" % (r.returncode, want))
    sys.exit(1)
