"""The Lipschitz GPT of a .wl file (examples/lipschitz_gpt*.wl) as plain data, for its PyTorch peer.

The peer must compute what the file says, not what wlc made of it, so this reads the .wl text
itself (regular expressions over the examples' fixed layout; anything else is an error naming the
line) instead of wlc's output: a wlc that misread an lr or a bound then shows up as a failed
same-math check instead of being copied into the peer. The result is JSON-serialisable (the
workers of wlbench/gptside.py get it in their spec):

    {"name", "T", "V", "D", "heads", "blocks": [{"kind": "attn"|"mlp", ...}], "head",
     "params": {name: {"shape": [OUT, IN], "bound": ["spectral"|"row", c]}},
     "optim": {name: {"lr", "momentum", "nesterov", "weight_decay", "ns_steps"}},
     "schedule": {"kind", "warmup", "total"}}
"""
import ast
import operator
import re

# muon's defaults (lang/lib/Builtins.cpp), for arguments a group leaves out
MUON_DEFAULTS = {"lr": 0.02, "momentum": 0.95, "nesterov": True, "weight_decay": 0.0, "ns_steps": 5}
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class SpecError(ValueError):
    """The .wl file is not a Lipschitz GPT of the examples' layout."""


def number(text):
    """A constant expression of the language (`1/3`, `(1/1.1289)`, `4 * 256`) as a float."""
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        raise SpecError(f"not a constant expression: {text!r}")
    try:
        return ev(ast.parse(text.strip(), mode="eval"))
    except SyntaxError:
        raise SpecError(f"not a constant expression: {text!r}") from None


def keywords(text):
    """`a = 1, b = true` -> {"a": "1", "b": "true"} (values as written)."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise SpecError(f"expected key = value, got {part!r}")
        k, v = (s.strip() for s in part.split("=", 1))
        out[k] = v
    return out


def boolean(text):
    if text not in ("true", "false"):
        raise SpecError(f"expected true or false, got {text!r}")
    return text == "true"


def block_of(text, keyword):
    """The text between `keyword {` and its matching `}`."""
    m = re.search(r"\b" + keyword + r"\s*\{", text)
    if not m:
        raise SpecError(f"no {keyword} block")
    depth, i = 1, m.end()
    while depth:
        if i >= len(text):
            raise SpecError(f"unterminated {keyword} block")
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[m.end():i - 1]


LINEAR = re.compile(r"^linear (\w+): (\d+) -> (\d+) \{ weight = dense(?:\([^)]*\))? "
                    r"with spectral_bound\(([^,]+), method = soft_cap\); bias = none \}$")
EMBED = re.compile(r"^embedding (\w+): (\d+) -> (\d+) \{ weight = dense(?:\([^)]*\))? "
                   r"with norm_bound\(([^,]+), norm = row\) \}$")
ATTN = re.compile(r"^h = ([^*]+) \* h \+ ([^*]+) \* (\w+)\((.+) \* attention\((\w+)\(h\), (\w+)\(h\), "
                  r"(\w+)\(h\)((?:, [^()]*)?)\)\)$")
MLP = re.compile(r"^h = ([^*]+) \* h \+ ([^*]+) \* (\w+)\((.+) \* gelu\((\w+)\(h\)\)\)$")


def parse_layers(lines):
    """(params, T, V, D, embedding name) from the declarations."""
    params, T, embed = {}, None, None
    for ln in lines:
        if m := re.match(r"^input\s+\w+: i32\[(\d+)\]$", ln):
            T = int(m.group(1))
        elif m := EMBED.match(ln):
            embed, V, D = m.group(1), int(m.group(2)), int(m.group(3))
            params[f"{embed}.weight"] = {"shape": [V, D], "bound": ["row", number(m.group(4))]}
        elif m := LINEAR.match(ln):
            name, i, o = m.group(1), int(m.group(2)), int(m.group(3))
            params[f"{name}.weight"] = {"shape": [o, i], "bound": ["spectral", number(m.group(4))]}
        elif ln.startswith(("linear ", "embedding ", "input ")):
            raise SpecError(f"declaration outside the Lipschitz GPT layout: {ln!r}")
    if T is None or embed is None:
        raise SpecError("needs `input NAME: i32[T]` and one `embedding`")
    return params, T, V, D, embed


def parse_forward(body, embed, D):
    """(blocks, head layer, heads) from the forward block: `h = tok(tokens)`, then attention and
    MLP residual lines, then `return head(h)`."""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    if not lines or not re.match(rf"^h = {embed}\(\w+\)$", lines[0]):
        raise SpecError(f"forward must start with h = {embed}(tokens)")
    m = re.match(r"^return (\w+)\(h\)$", lines[-1])
    if not m:
        raise SpecError("forward must end with return head(h)")
    blocks, heads = [], None
    for ln in lines[1:-1]:
        if a := ATTN.match(ln):
            kw = keywords(a.group(8).lstrip(", "))
            h = int(kw.get("heads", "1"))
            if heads is not None and h != heads:
                raise SpecError("blocks with different head counts")
            heads = h
            blocks.append({"kind": "attn", "keep": number(a.group(1)), "mix": number(a.group(2)),
                           "o": a.group(3), "inner": number(a.group(4)), "q": a.group(5), "k": a.group(6),
                           "v": a.group(7), "causal": boolean(kw.get("causal", "false")),
                           "scale": number(kw["scale"]) if "scale" in kw else (D / h) ** -0.5,
                           "rope": boolean(kw.get("rope", "false")), "rope_base": number(kw.get("rope_base", "10000"))})
        elif g := MLP.match(ln):
            blocks.append({"kind": "mlp", "keep": number(g.group(1)), "mix": number(g.group(2)),
                           "down": g.group(3), "inner": number(g.group(4)), "up": g.group(5)})
        else:
            raise SpecError(f"forward line outside the Lipschitz GPT layout: {ln!r}")
    return blocks, m.group(1), heads or 1


def parse_optimize(body, params):
    """({param: muon settings}, schedule) from the optimize block."""
    sched = {"kind": "constant", "warmup": 0, "total": 1}
    if s := re.search(r"schedule:\s*(\w+)\(([^)]*)\)", body):
        kw = keywords(s.group(2))
        sched = {"kind": s.group(1), "warmup": int(number(kw.get("warmup", "0"))),
                 "total": int(number(kw.get("total", "1")))}
        body = body[:s.start()] + body[s.end():]
    optim = {}
    for g in re.finditer(r"([\w.,\s]+?):\s*(\w+)\(([^)]*)\)", body):
        if g.group(2) != "muon":
            raise SpecError(f"optimizer {g.group(2)}: the PyTorch peer implements muon only")
        kw = keywords(g.group(3))
        settings = dict(MUON_DEFAULTS)
        for k, v in kw.items():
            settings[k] = boolean(v) if k == "nesterov" else number(v)
        settings["ns_steps"] = int(settings["ns_steps"])
        targets = [t.strip() for t in g.group(1).split(",") if t.strip()]
        for t in targets:
            names = list(params) if t == "default" else [p for p in params if p == t or p.split(".")[0] == t]
            if not names:
                raise SpecError(f"optimize group names {t!r}, which is no parameter")
            for n in names:
                if t != "default" or n not in optim:
                    optim[n] = settings
    missing = sorted(set(params) - set(optim))
    if missing:
        raise SpecError(f"parameters without an optimizer group: {', '.join(missing)}")
    return optim, sched


def parse_gpt(text):
    """The Lipschitz GPT of the .wl `text` (see the module docstring)."""
    text = re.sub(r"//[^\n]*", "", text)
    name = re.search(r"\bmodel\s+(\w+)\s*\{", text)
    if not name:
        raise SpecError("no model")
    fwd, opt = block_of(text, "forward"), block_of(text, "optimize")
    decl = text.replace(fwd, "").replace(opt, "")
    lines = [re.sub(r"\s+", " ", ln.strip()) for ln in decl.splitlines() if ln.strip()]
    params, T, V, D, embed = parse_layers(lines)
    blocks, head, heads = parse_forward(fwd, embed, D)
    for b in blocks:
        for key in ("q", "k", "v", "o") if b["kind"] == "attn" else ("up", "down"):
            if f"{b[key]}.weight" not in params:
                raise SpecError(f"forward uses {b[key]}, which is not a soft_cap linear layer")
    if not re.search(r"\bloss = cross_entropy\(forward, \w+\)", text):
        raise SpecError("the loss must be cross_entropy(forward, next)")
    optim, sched = parse_optimize(opt, params)
    return {"name": name.group(1), "T": T, "V": V, "D": D, "heads": heads, "embed": embed, "blocks": blocks,
            "head": head, "params": params, "optim": optim, "schedule": sched}


def describe(spec):
    """One line: the sizes (for the row name)."""
    n_attn = sum(b["kind"] == "attn" for b in spec["blocks"])
    return f"{spec['name']} L={n_attn} D={spec['D']} H={spec['heads']} T={spec['T']} V={spec['V']}"


def settings(spec):
    """The optimizer and the bounds in one line, layers grouped by kind (q1, q2 -> q): what a
    result was measured with, since the example's lrs and bounds may change."""
    def grouped(values):
        groups = {}
        for name, v in values.items():
            kind = re.sub(r"\d+$", "", name.split(".")[0])
            groups.setdefault(v, [])
            if kind not in groups[v]:
                groups[v].append(kind)
        return ", ".join(f"{v} ({'/'.join(k)})" for v, k in groups.items())
    o = next(iter(spec["optim"].values()))
    s = spec["schedule"]
    lrs = {k: f"{v['lr']:.6g}" for k, v in spec["optim"].items()}
    bounds = {k: ("c " if v["bound"][0] == "spectral" else "row ") + f"{v['bound'][1]:.6g}"
              for k, v in spec["params"].items()}
    return (f"Muon lr {grouped(lrs)}; momentum {o['momentum']:g}, nesterov {str(o['nesterov']).lower()}; "
            f"{s['kind']}(warmup {s['warmup']}, total {s['total']}); bounds {grouped(bounds)}")
