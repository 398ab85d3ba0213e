"""wl.train's constraint report: `wlc --report=json` (run_report) read by parse_report
into {layer: {"structure", "constraints"}}; malformed JSON is a TrainError naming what is
wrong, and constraint_report turns it into a warning (training goes on without it).
argv[1]: a scratch directory."""
import io
import os
import stat
import sys

from pycheck import INPUTS, check, guarded, raises, workdir

from wl import train


def main():
    scratch = workdir(sys.argv[1])
    structures = os.path.join(INPUTS, "..", "..", "MLIRGen", "structures.wl")

    report = train.parse_report(train.run_report(structures))
    check("layers_in_order", list(report) == ["a", "b", "c", "d", "e", "f"], list(report))
    check("structures", [report[n]["structure"] for n in report] ==
          ["orthogonal(cayley)", "orthogonal(exp)", "orthogonal(householder)", "diagonal", "svd",
           "orthogonal(polar)"], report)
    check("no_constraints", report["a"]["constraints"] == [], report["a"])
    want_d = {"text": "d: spectral_bound(0.90, clamp)", "factor": "d", "kind": "spectral_bound",
              "args": ["0.90", "clamp"], "guarantee": "exact",
              "why": "diagonal: |d| clamped to c (sigma(W) = |d|)", "through": False}
    check("factor_constraint", report["d"]["constraints"] == [want_d], report["d"])
    check("svd_factors", [(c["factor"], c["kind"], c["args"], c["guarantee"])
                          for c in report["e"]["constraints"]] ==
          [("U", "orthonormal", [], "conditional"),
           ("s", "spectral_bound", ["2.00", "clamp"], "exact"),
           ("V", "orthonormal", [], "conditional")], report["e"])
    check("dense_constraints", [(c["text"], c["factor"], c["args"])
                                for c in report["f"]["constraints"]] ==
          [("orthonormal()", "", []), ("spectral_bound(1.50)", "", ["1.50"])], report["f"])
    check("describe", train.describe_constraints(report["d"]) ==
          ["d: spectral_bound(0.90, clamp) exact"] and
          train.describe_constraints(report["a"]) == ["orthogonal(cayley) by construction"] and
          all(train.is_constrained(report[n]) for n in report), report)

    # Constraints carried onto a factor of a structured term hold that factor's share
    # of the written bound (kronecker: sqrt(c) on A and B): flagged `through`, and
    # drawn as no bound of sigma(W).
    factored = train.parse_report(train.run_report(
        os.path.join(INPUTS, "..", "..", "MLIRGen", "structure_constraints.wl")))
    kr = factored["kr"]["constraints"]
    check("through_flag", [(c["factor"], c["args"][:2], c["through"]) for c in kr] ==
          [("A", [], True), ("A", ["2.00", "svd_clip"], True),
           ("B", [], True), ("B", ["2.00", "svd_clip"], True)], kr)
    check("through_no_line", train.constraint_lines(kr, "kronecker") == ([], []) and
          train.constraint_lines(report["f"]["constraints"], "dense")[0] != [],
          train.constraint_lines(kr, "kronecker"))

    # Hand-written reports: the JSON form, and what is not it.
    ok = ('{"model": "M", "layers": [{"name": "fc", "structure": "dense", "params": 6, '
          '"constraints": [{"constraint": "spectral_bound(1.00, soft_cap)", "guarantee": "exact", '
          '"why": " coupled "}]}, {"name": "out", "structure": "dense", "params": 3, '
          '"constraints": []}], "total_params": 9, "trainable_params": 9}')
    check("hand_written", train.parse_report(ok) == {
        "fc": {"structure": "dense", "constraints": [
            {"text": "spectral_bound(1.00, soft_cap)", "factor": "", "kind": "spectral_bound",
             "args": ["1.00", "soft_cap"], "guarantee": "exact", "why": "coupled",
             "through": False}]},
        "out": {"structure": "dense", "constraints": []}}, train.parse_report(ok))
    text = ("model M\nlayer  structure  constraint  guarantee  params  why\n"
            "fc     dense      -           -          6\n")
    raises("text_report", train.TrainError, train.parse_report, text,
           contains=("malformed `wlc --report=json`: not JSON",))
    raises("truncated", train.TrainError, train.parse_report, ok[:40],
           contains=("malformed `wlc --report=json`: not JSON",))
    raises("not_object", train.TrainError, train.parse_report, "[]",
           contains=("not a JSON object",))
    raises("no_layers", train.TrainError, train.parse_report, '{"model": "M"}',
           contains=('the report has no "layers"',))
    raises("layer_not_object", train.TrainError, train.parse_report, '{"layers": ["fc"]}',
           contains=("layer 0 is str, not an object",))
    raises("no_structure", train.TrainError, train.parse_report,
           '{"layers": [{"name": "fc", "constraints": []}]}',
           contains=('layer 0 (fc) has no "structure"',))
    raises("constraints_type", train.TrainError, train.parse_report,
           '{"layers": [{"name": "fc", "structure": "dense", "constraints": "-"}]}',
           contains=('layer 0 (fc) "constraints" is str, not list',))
    raises("guarantee_type", train.TrainError, train.parse_report,
           '{"layers": [{"name": "fc", "structure": "dense", "constraints": '
           '[{"constraint": "orthonormal()", "guarantee": 1, "why": ""}]}]}',
           contains=('layer 0 (fc) constraint 0 "guarantee" is int, not str',))
    raises("duplicate", train.TrainError, train.parse_report,
           '{"layers": [{"name": "fc", "structure": "dense", "constraints": []}, '
           '{"name": "fc", "structure": "dense", "constraints": []}]}',
           contains=("layer fc appears twice",))

    # A wlc whose report is not JSON: a warning, no report, and the header says so.
    fake = os.path.join(scratch, "fake-wlc")
    with open(fake, "w") as f:
        f.write("#!/bin/sh\necho 'model M'\n")
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    os.environ["WLC"] = fake
    err, sys.stderr = sys.stderr, io.StringIO()
    try:
        got, why = train.constraint_report(structures, None)
        warning = sys.stderr.getvalue()
    finally:
        sys.stderr = err
    check("fallback", got == {} and "not JSON" in why, (got, why))
    check("fallback_warning", warning.startswith(
        "wl-train: warning: no constraint report (malformed `wlc --report=json`: not JSON"),
        warning)


guarded(main)
