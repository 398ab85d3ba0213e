"""train_distributed.test: `wl-train ... --nnodes 2 --node-rank K --master 127.0.0.1:PORT` as
two "machines" on this one, started together: OUT0 gets node 0's stdout, OUT1 node 1's.
Usage: dist_two_nodes.py OUT0 OUT1 -- WL-TRAIN-ARGS..."""
import socket
import subprocess
import sys


def main():
    sep = sys.argv.index("--")
    out0, out1 = sys.argv[1:sep]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = sys.argv[sep + 1:] + ["--nnodes", "2", "--master", "127.0.0.1:%d" % port]
    procs = []
    for k, path in enumerate((out0, out1)):
        with open(path, "w") as f:
            procs.append(subprocess.Popen(cmd + ["--node-rank", str(k)], stdout=f,
                                          stderr=subprocess.STDOUT))
    codes = [p.wait(timeout=300) for p in procs]
    if any(codes):
        sys.exit("node exit statuses %s" % codes)


if __name__ == "__main__":
    main()
