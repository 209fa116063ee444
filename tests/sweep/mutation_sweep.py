#!/usr/bin/env python3
"""Mutation sweep over every offline command, through the real binary.

Feeds mutated inputs - byte flips, truncation, deleted keys, wrong types, huge numbers,
NaN/Infinity, deep nesting, 10 MB strings, invalid UTF-8, duplicate keys, empty files,
directories and FIFOs - to `validate`, `diff` (either side), `report`, `baseline update`,
`export --gbench`, `merge` (a shard's results) and `run --dry-run` (mutated suites and flags),
and checks that every call
ends by itself with an exit code other than 5 (internal error), no signal, within 10 s.

    tests/sweep/mutation_sweep.py BENCHGATE_BINARY [--inputs N] [--seed S] [--jobs J]
                                  [--work DIR] [--json SUMMARY.json]

Prints the figures (inputs, calls, exit-code histogram, slowest calls) and exits 1 when any
call broke a rule (each listed with its input kept under the work folder), 0 otherwise.
The seed makes the inputs repeatable; the originals are files of this repository.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORIGINALS = {
    "results": os.path.join(ROOT, "fuzz/seeds/results/results-2runs.json"),
    "baseline": os.path.join(ROOT, "fuzz/seeds/results/baseline.json"),
    "gbench": os.path.join(ROOT, "tests/data/gbench/public/pairs/02_upstream_test1/base.json"),
    "suite": os.path.join(ROOT, "examples/full.toml"),
    "shard": os.path.join(ROOT, "fuzz/seeds/results/shard-1of1.json"),
}
TIME_LIMIT_S = 10.0
ALL_COMMANDS = False  # --all-commands: every command on every input
BIG = 10 * 1024 * 1024

# --------------------------------------------------------------------------- JSON mutations


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def get(node, path):
    for p in path:
        node = node[p]
    return node


def set_at(doc, path, value):
    if not path:
        return value
    get(doc, path[:-1])[path[-1]] = value
    return doc


class Raw:
    """Text spliced into a dumped document as is (tokens JSON cannot express)."""

    def __init__(self, rng):
        self.parts = {}
        self.rng = rng

    def token(self, text):
        key = "@@RAW%d@@" % len(self.parts)
        self.parts['"%s"' % key] = text
        return key

    def dump(self, doc):
        out = json.dumps(doc, indent=self.rng.choice([None, 1]), ensure_ascii=False)
        for k, v in self.parts.items():
            out = out.replace(k, v, 1)
        return out.encode("utf-8", "surrogateescape")


def json_mutant(text, rng, kind):
    doc = json.loads(text)
    all_paths = list(paths(doc))
    leaf_paths = [p for p in all_paths if p and not isinstance(get(doc, p), (dict, list))]
    obj_paths = [p for p in all_paths if isinstance(get(doc, p), dict) and get(doc, p)]
    raw = Raw(rng)
    target = rng.choice(all_paths[1:]) if len(all_paths) > 1 else ()
    if kind == "delete_key":
        for _ in range(rng.randint(1, 3)):
            live = [p for p in paths(doc) if isinstance(get(doc, p), dict) and get(doc, p)]
            if live:
                obj = get(doc, rng.choice(live))
                del obj[rng.choice(list(obj))]
    elif kind == "wrong_type":
        for _ in range(rng.randint(1, 3)):
            p = rng.choice(all_paths[1:])
            try:
                set_at(doc, p, rng.choice([None, True, "str", [], {}, 0, -1, 1.5, [1, "a"], {"x": 1},
                                           "", -0.0]))
            except (KeyError, IndexError, TypeError):
                pass
    elif kind == "huge_number":
        p = rng.choice(leaf_paths or all_paths[1:])
        set_at(doc, p, raw.token(rng.choice(["1e999", "-1e999", "1e308", "18446744073709551616",
                                             "-9223372036854775809", "4.9e-324", "1e-400",
                                             "123456789012345678901234567890", "2147483648"])))
    elif kind == "nonfinite":
        p = rng.choice(leaf_paths or all_paths[1:])
        set_at(doc, p, raw.token(rng.choice(["NaN", "Infinity", "-Infinity", "nan", "inf"])))
    elif kind == "deep_nesting":
        n = rng.choice([513, 600, 5000, 100000])
        closed = rng.random() < 0.7
        set_at(doc, target, raw.token("[" * n + ("]" * n if closed else "")))
    elif kind == "big_string":
        p = rng.choice([q for q in all_paths if q and isinstance(get(doc, q), str)] or [target])
        set_at(doc, p, rng.choice(["x", "\u00e9", "[", "\\"])[0] * BIG)
    elif kind == "invalid_utf8":
        p = rng.choice([q for q in all_paths if q and isinstance(get(doc, q), str)] or [target])
        bad = rng.choice(['"\udcff\udcfe"', '"a\\ud800b"', '"\\udc00"', '"\udcc0\udc80"', '"\\u0000"'])
        set_at(doc, p, raw.token(bad))
    elif kind == "duplicate_key":
        p = rng.choice(obj_paths)
        obj = get(doc, p)
        k = rng.choice(list(obj))
        dup = raw.token("0")
        obj[dup] = 0  # replaced below by a second copy of key k
        out = raw.dump(doc)
        val = rng.choice(['"dup"', "null", "[]", json.dumps(obj[k]) if not isinstance(obj[k], str) else '1'])
        return out.replace(b'"%s": 0' % dup.encode(), json.dumps(k).encode() + b": " + val.encode(), 1)
    return raw.dump(doc)


# --------------------------------------------------------------------------- TOML mutations


def toml_mutant(text, rng, kind):
    lines = text.split("\n")
    value_lines = [i for i, l in enumerate(lines) if "=" in l and not l.lstrip().startswith("#")]
    i = rng.choice(value_lines)
    key = lines[i].split("=", 1)[0]
    if kind == "delete_key":
        for _ in range(rng.randint(1, 3)):
            j = rng.choice(value_lines + [k for k, l in enumerate(lines) if l.startswith("[")])
            if j < len(lines):
                del lines[j]
            value_lines = [k for k, l in enumerate(lines) if "=" in l and not l.lstrip().startswith("#")]
    elif kind == "wrong_type":
        lines[i] = key + "= " + rng.choice(['"s"', "[1, 2]", "{ a = 1 }", "true", "1.5", "-1", "0", '""',
                                             "[]", "1979-05-27T07:32:00Z", '["a", 1]'])
    elif kind == "huge_number":
        lines[i] = key + "= " + rng.choice(["9223372036854775807", "-9223372036854775808",
                                             "1e308", "1e999", "0x7fffffffffffffff", "100001",
                                             "2147483648", "99999999999"])
    elif kind == "nonfinite":
        lines[i] = key + "= " + rng.choice(["nan", "inf", "-inf", "+nan", '"NaN"', '"Infinity"'])
    elif kind == "deep_nesting":
        n = rng.choice([100, 1000, 100000])
        lines[i] = key + "= " + "[" * n + "]" * n
    elif kind == "big_string":
        lines[i] = key + '= "' + "x" * BIG + '"'
    elif kind == "invalid_utf8":
        out = "\n".join(lines).encode()
        pos = rng.randrange(len(out))
        return out[:pos] + rng.choice([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\x00"]) + out[pos:]
    elif kind == "duplicate_key":
        lines.insert(i + 1, lines[i])
    return "\n".join(lines).encode()


# --------------------------------------------------------------------------- byte level


def byte_mutant(data, rng, kind):
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "empty":
        return rng.choice([b"", b" ", b"\n", b"\x00", b"{}", b"[]", b"null", b"\xef\xbb\xbf"])
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(out))
        op = rng.randrange(3)
        if op == 0:
            out[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            del out[pos:pos + rng.randint(1, 16)]
        else:
            out[pos:pos] = bytes([rng.randrange(256)])
        if not out:
            break
    return bytes(out)


STRUCTURED = ["delete_key", "wrong_type", "huge_number", "nonfinite", "deep_nesting", "big_string",
              "invalid_utf8", "duplicate_key"]
BYTES = ["byte_flip", "truncate", "empty"]
WEIGHTS = {"big_string": 0.15, "deep_nesting": 0.5, "empty": 0.3}


def make_inputs(n, rng):
    originals = {k: open(p, "rb").read() for k, p in ORIGINALS.items()}
    share = {"results": 0.3, "baseline": 0.15, "gbench": 0.2, "suite": 0.25, "shard": 0.1}
    kinds = STRUCTURED + BYTES
    weights = [WEIGHTS.get(k, 1.0) for k in kinds]
    for idx in range(n):
        what = rng.choices(list(share), weights=list(share.values()))[0]
        kind = rng.choices(kinds, weights=weights)[0]
        text = originals[what]
        if kind in BYTES:
            data = byte_mutant(text, rng, kind)
        elif what == "suite":
            data = toml_mutant(text.decode(), rng, kind)
        else:
            data = json_mutant(text.decode(), rng, kind)
        yield idx, what, kind, data


# --------------------------------------------------------------------------- commands


def commands(what, path, good, out_dir, rotate=None):
    """The offline commands that read a file of this kind: all of them, or (rotate = the
    input's number) `validate` plus one of the others in turn, so every command still sees
    hundreds of inputs at a third of the calls."""
    if what == "suite":
        cmds = [["validate", path], ["run", "-c", path, "--dry-run"],
                ["run", "-c", path, "--dry-run", "--iterations", "2", "--set", "seed=7"]]
    else:
        cmds = [["validate", path], ["diff", path, good[what]], ["diff", good[what], path]]
    if what == "results":
        cmds += [["report", path, "--out", os.path.join(out_dir, "report")],
                 ["baseline", "update", "--from", path, "--to", os.path.join(out_dir, "b.json")],
                 ["export", "--gbench", path, "-o", os.path.join(out_dir, "g.json")],
                 ["diff", "--format", "json", path, path]]
    if what == "baseline":
        cmds += [["diff", "--format", "md", path, good["results"]]]
    if what == "gbench":
        cmds += [["diff", "--format", "json", path, path]]
    if what == "shard":
        cmds += [["merge", path, "--out", os.path.join(out_dir, "merged")]]
    if rotate is None:
        return cmds
    return [cmds[0], cmds[1 + rotate % (len(cmds) - 1)]]


def call(binary, args, cwd):
    start = time.monotonic()
    try:
        p = subprocess.run([binary] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=3 * TIME_LIMIT_S, start_new_session=True)
        rc, err = p.returncode, p.stderr[-2000:].decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", (e.stderr or b"")[-2000:].decode("utf-8", "replace")
    return rc, time.monotonic() - start, err


def run_input(binary, work, good, idx, what, kind, data):
    d = os.path.join(work, "in%05d" % idx)
    os.makedirs(d)
    ext = ".toml" if what == "suite" else ".json"
    path = os.path.join(d, "input" + ext)
    with open(path, "wb") as f:
        f.write(data)
    out = []
    for args in commands(what, path, good, d, None if ALL_COMMANDS else idx):
        rc, secs, err = call(binary, args, d)
        out.append((what, kind, args, rc, secs, err))
    bad = any(r[3] == "timeout" or r[3] == 5 or (isinstance(r[3], int) and r[3] < 0) or
              r[4] > TIME_LIMIT_S for r in out)
    if not bad:
        shutil.rmtree(d)
    return out


def special_inputs(work):
    """Directories, FIFOs, empty files and /dev/zero as every kind of input."""
    d = os.path.join(work, "special")
    os.makedirs(d)
    fifo = os.path.join(d, "fifo.json")
    os.mkfifo(fifo)
    empty = os.path.join(d, "empty.json")
    open(empty, "w").close()
    folder = os.path.join(d, "folder.json")
    os.makedirs(folder)
    return [("fifo", fifo), ("empty", empty), ("directory", folder), ("device", "/dev/zero"),
            ("missing", os.path.join(d, "missing.json"))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--inputs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work")
    ap.add_argument("--json")
    ap.add_argument("--all-commands", action="store_true",
                    help="every command on every input (default: validate + one in turn)")
    a = ap.parse_args()
    global ALL_COMMANDS
    ALL_COMMANDS = a.all_commands
    binary = os.path.abspath(a.binary)
    work = a.work or tempfile.mkdtemp(prefix="bg-sweep-")
    os.makedirs(work, exist_ok=True)
    good_dir = os.path.join(work, "good")
    os.makedirs(good_dir, exist_ok=True)
    good = {}
    for k in ("results", "baseline", "gbench", "shard"):
        good[k] = os.path.join(good_dir, k + ".json")
        shutil.copy(ORIGINALS[k], good[k])
    rng = random.Random(a.seed)
    t0 = time.monotonic()
    records = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = [pool.submit(run_input, binary, work, good, idx, what, kind, data)
                for idx, what, kind, data in make_inputs(a.inputs, rng)]
        for kind_name, path in special_inputs(work):
            for what in ("results", "baseline", "gbench", "suite", "shard"):
                futs.append(pool.submit(lambda w=what, p=path, k=kind_name: [
                    (w, k, args, *call(binary, args, work)) for args in commands(w, p, good, work)]))
        for f in futs:
            records.extend(f.result())
    wall = time.monotonic() - t0

    hist = collections.Counter(str(r[3]) for r in records)
    by_cmd = collections.defaultdict(collections.Counter)
    for r in records:
        by_cmd[" ".join(x for x in r[2][:2] if not x.startswith("/"))][str(r[3])] += 1
    slowest = sorted(records, key=lambda r: -r[4])[:5]
    failures = [r for r in records if r[3] == "timeout" or r[3] == 5 or
                (isinstance(r[3], int) and r[3] < 0) or r[4] > TIME_LIMIT_S]
    inputs = a.inputs + 5 * 4  # special_inputs() as each of the four kinds
    print("mutation sweep: %d inputs (%d mutated + directories/FIFOs/empty/devices), %d calls, %.0f s"
          % (inputs, a.inputs, len(records), wall))
    print("exit codes: " + ", ".join("%s: %d" % kv for kv in sorted(hist.items())))
    for cmd, c in sorted(by_cmd.items()):
        print("  %-18s %s" % (cmd, ", ".join("%s: %d" % kv for kv in sorted(c.items()))))
    print("mutations: " + ", ".join("%s: %d" % kv for kv in sorted(
        collections.Counter(r[1] for r in records).items())))
    print("slowest calls:")
    for r in slowest:
        print("  %.2f s  exit %s  %s (%s, %s)" % (r[4], r[3], " ".join(r[2][:3]), r[0], r[1]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"inputs": inputs, "calls": len(records), "seconds": wall, "exits": hist,
                       "slowest_s": slowest[0][4] if slowest else 0,
                       "failures": len(failures)}, f, indent=1)
    if failures:
        print("\n%d calls broke a rule (no signal, no exit 5, at most %.0f s):" % (len(failures), TIME_LIMIT_S))
        for r in failures[:20]:
            print("  exit %s after %.1f s: %s (%s, %s)\n    %s" % (r[3], r[4], " ".join(r[2]), r[0], r[1],
                                                                  r[5].strip()[-300:]))
        print("inputs kept under " + work)
        return 1
    if not a.work:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
