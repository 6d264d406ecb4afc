#!/usr/bin/env python3
"""Regular-expression mutation testing for gw502tui's C sources (issue 19).

In the spirit of universalmutator's C rules (which this machine cannot
install: it is only on PyPI), each line of C outside comments, string
literals and preprocessor lines yields mutants by these operators:

  ROR  relational swap: < -> <= >=, <= -> < >, > -> >= <=, >= -> > <,
       == <-> !=
  LOR  && <-> ||
  AOR  binary + <-> -, += <-> -=, binary * -> /
  LIT  integer literal n -> n+1 and n -> n-1 (0 -> 1)
  RET  return X; -> return !(X); (bool), return NULL; (pointer),
       return 0; (other)
  DEL  a statement line (ends in ';', not a declaration) deleted
  NEG  if (C) -> if (!(C))
  BRK  a 'break;' line deleted
  BOOL true <-> false
  ORA  |= -> =

Every mutant is built from a scratch copy of the tree with that one file
changed (the other objects are reused) and run against the fast tests: every
unit binary, tests/e2e/test_lab.sh (GW_LAB=0) and tests/e2e/test_cli.sh.
A test failing or the time budget running out kills the mutant; a mutant
the compiler refuses (-Werror included) is stillborn and left out of the
rate, as are the mutants tests/mutate/equivalent.txt names with a reason.

  mutate.py --list [--sample N] [--seed S] [DIR...]    the mutants, numbered
  mutate.py --run  [--sample N] [--seed S] [--jobs J] [--report FILE]
                   [--only SIGFILE] [--min-rate PCT] [DIR...]
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DIRS = ["src/diag", "src/flow", "src/proto"]
EQUIVALENT_FILE = os.path.join(ROOT, "tests", "mutate", "equivalent.txt")


# ---------------------------------------------------------------- masking

def mask_source(text):
    """The text with comment bodies and string/char literal contents
    replaced by spaces (newlines and quotes kept), so that columns of the
    mask are columns of the source and no operator is found inside them."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


# ---------------------------------------------------------------- operators

ROR_SWAPS = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="],
             ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
ROR_RE = re.compile(r"(?<![<>=!\-])(<=|>=|==|!=|<|>)(?![<>=])")
LOR_RE = re.compile(r"&&|\|\|")
AOR_RE = re.compile(r"(?<=[\w)\]]) ([+\-*]) (?=[\w(!~&])|(?<![+\-*/%&|^<>=!])([+\-])=(?!=)")
LIT_RE = re.compile(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])")
BOOL_RE = re.compile(r"\b(true|false)\b")
ORA_RE = re.compile(r"(?<![|])\|=")
RETURN_RE = re.compile(r"^(\s*)return\s+(.+?)\s*;\s*$")
IF_RE = re.compile(r"\bif\s*\(")
DECL_RE = re.compile(
    r"^\s*(?:(?:const|static|volatile|register|unsigned|signed)\s+)*"
    r"(?:(?:struct|enum|union)\s+)?\w+(?:\s+|\s*\*+\s*)\**\s*\w+\s*(?:=|;|\[|,)")
KEYWORD_STMT_RE = re.compile(r"^\s*(return|break|case|default|goto\s+\w+\s*:)\b")
FUNC_NAME_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def matching_paren(s, open_at):
    depth = 0
    for i in range(open_at, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def return_mutant(ret_type, expr):
    """The RET replacement for 'return EXPR;' in a function returning
    RET_TYPE, or None where no sensible one exists."""
    t = ret_type.replace("static", "").replace("inline", "").strip()
    if not t or t == "void" or expr in ("0", "NULL", "true", "false", "-1"):
        return None
    if re.match(r"^[A-Z][A-Z0-9_]*$", expr):   # an enum constant: its value is arbitrary
        return None
    if t == "bool":
        return "!(%s)" % expr
    if "*" in t:
        return "NULL"
    return "0"


def line_mutants(line, code, prev_code, ret_type):
    """(op, mutated line) pairs for one line; CODE is its mask."""
    found = []

    def sub(start, end, new):
        found_line = line[:start] + new + line[end:]
        return found_line

    for m in ROR_RE.finditer(code):
        for new in ROR_SWAPS[m.group(1)]:
            found.append(("ROR", sub(m.start(1), m.end(1), new)))
    for m in LOR_RE.finditer(code):
        found.append(("LOR", sub(m.start(), m.end(), "||" if m.group() == "&&" else "&&")))
    decl = DECL_RE.match(code)
    for m in AOR_RE.finditer(code):
        if m.group(1):
            op = m.group(1)
            if op == "*" and decl:
                continue
            new = {"+": "-", "-": "+", "*": "/"}[op]
            found.append(("AOR", sub(m.start(1), m.end(1), new)))
        else:
            new = "-" if m.group(2) == "+" else "+"
            found.append(("AOR", sub(m.start(2), m.end(2), new)))
    for m in LIT_RE.finditer(code):
        text, suffix = m.group(1), m.group(2)
        value = int(text, 0)
        hexa = text[:2] in ("0x", "0X")
        news = [value + 1] if value == 0 else [value + 1, value - 1]
        for v in news:
            new = ("0x%x" % v if hexa else str(v)) + suffix
            found.append(("LIT", sub(m.start(), m.end(), new)))
    m = RETURN_RE.match(code)
    if m and ret_type is not None:
        expr = line[m.start(2):m.end(2)]
        new = return_mutant(ret_type, expr)
        if new is not None:
            found.append(("RET", sub(m.start(2), m.end(2), new)))
    stripped = code.strip()
    if (stripped.endswith(";") and prev_code.rstrip().endswith((";", "{", "}", ":"))
            and not decl and not KEYWORD_STMT_RE.match(code)
            and "{" not in code and "}" not in code
            and code.count("(") == code.count(")") and not stripped.startswith("for")):
        found.append(("DEL", ""))
    for m in IF_RE.finditer(code):
        close = matching_paren(code, m.end() - 1)
        if close < 0:
            continue
        inner = line[m.end():close]
        found.append(("NEG", line[:m.end()] + "!(" + inner + ")" + line[close:]))
    if stripped == "break;":
        found.append(("BRK", ""))
    for m in BOOL_RE.finditer(code):
        found.append(("BOOL", sub(m.start(), m.end(), "false" if m.group() == "true" else "true")))
    for m in ORA_RE.finditer(code):
        found.append(("ORA", sub(m.start(), m.end(), "=")))
    return found


# ---------------------------------------------------------------- mutants

class Mutant:
    def __init__(self, number, path, lineno, op, original, mutated, sig):
        self.number, self.path, self.lineno = number, path, lineno
        self.op, self.original, self.mutated, self.sig = op, original, mutated, sig

    @property
    def directory(self):
        return os.path.dirname(self.path)

    def describe(self):
        after = self.mutated.strip() or "(line deleted)"
        return "%s:%d %s: `%s` → `%s`" % (self.path, self.lineno, self.op,
                                          self.original.strip(), after)


def file_mutants(path):
    """Every mutant of one file, in line then operator order."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    codes = mask_source(text).split("\n")
    out = []
    ret_type = None
    prev_code, prev_line_text = "", ""
    in_macro = False
    seen = {}
    for i, (line, code) in enumerate(zip(lines, codes)):
        if in_macro or code.lstrip().startswith("#"):
            in_macro = code.rstrip().endswith("\\")
            continue
        if not code.strip():
            continue
        if code[:1] not in (" ", "\t", "{", "}") and "(" in code and not code.rstrip().endswith(";"):
            name = FUNC_NAME_RE.search(code)
            before = code[:name.start()].strip() if name else ""
            ret_type = before if before else prev_line_text.strip()
        for op, mutated in line_mutants(line, code, prev_code, ret_type):
            if mutated == line:
                continue
            h = hashlib.sha1(("%s\0%s\0%s" % (op, line.strip(), mutated.strip())).encode()).hexdigest()[:10]
            base = "%s:%s" % (path, h)
            seen[base] = seen.get(base, 0) + 1
            sig = "%s:%d" % (base, seen[base])
            out.append(Mutant(0, path, i + 1, op, line, mutated, sig))
        prev_code = code
        prev_line_text = code
    # One mutated line per (line, text): two operators can give the same.
    unique, keys = [], set()
    for m in out:
        k = (m.lineno, m.mutated)
        if k not in keys:
            keys.add(k)
            unique.append(m)
    return unique


def all_mutants(dirs):
    files = []
    for d in dirs:
        if d.endswith(".c"):
            files.append(d)
            continue
        for name in sorted(os.listdir(os.path.join(ROOT, d))):
            if name.endswith(".c"):
                files.append(os.path.join(d, name))
    mutants = []
    for path in files:
        mutants.extend(file_mutants(path))
    for i, m in enumerate(mutants, 1):
        m.number = i
    return mutants


def load_equivalents():
    """signature -> reason, from lines 'SIGNATURE  REASON' ('#' comments)."""
    eq = {}
    if not os.path.exists(EQUIVALENT_FILE):
        return eq
    with open(EQUIVALENT_FILE, encoding="utf-8") as f:
        for raw in f:
            raw = raw.strip()
            if not raw or raw.startswith("#"):
                continue
            sig, _, reason = raw.partition(" ")
            if not reason.strip():
                print("mutate: %s: %s has no reason, not taken" % (EQUIVALENT_FILE, sig),
                      file=sys.stderr)
                continue
            eq[sig] = reason.strip()
    return eq


def sample(mutants, dirs, per_dir, seed, equivalents):
    """A fixed random sample of PER_DIR mutants of each directory (all of
    them when PER_DIR is 0), less the known equivalent ones, in
    mutant-number order. Equivalents are dropped after drawing, so that
    listing one does not reshuffle the sample."""
    chosen = []
    for d in dirs:
        pool = [m for m in mutants if d in (m.directory, m.path)]
        if per_dir and per_dir < len(pool):
            pool = random.Random("%s:%s" % (seed, d)).sample(pool, per_dir)
        chosen.extend(m for m in pool if m.sig not in equivalents)
    return sorted(chosen, key=lambda m: m.number)


# ---------------------------------------------------------------- running



def run_limited(cmd, cwd, env, deadline):
    """Runs CMD in its own process group; returns (passed, timed_out)."""
    budget = deadline - time.monotonic()
    if budget <= 0:
        return False, True
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = p.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return False, True
        if rc != 0:
            return False, False
        out.seek(0)
        return not re.search(rb"^not ok - ", out.read(), re.M), False


class Worker:
    """A scratch copy of the tree (src/, tests/, examples/, themes/, doc/, tools/,
    Makefile, README.md, whose architecture test_cli checks: the tests as
    they were when the run began) with its own build/, where one mutant at
    a time is built and tested."""

    def __init__(self, base, make_jobs, unit_only=False):
        self.dir = base
        self.make_jobs = make_jobs
        self.unit_only = unit_only
        self.pristine = {}
        self.users = {}      # object -> the binaries that link it
        self.durations = {}  # test binary or script -> seconds on the unmutated tree

    @classmethod
    def create(cls, parent, make_jobs):
        d = tempfile.mkdtemp(prefix="gw502mutate.", dir=parent)
        for sub in ("src", "tests", "examples", "themes", "doc", "tools"):
            shutil.copytree(os.path.join(ROOT, sub), os.path.join(d, sub), symlinks=True)
        for name in ("Makefile", "README.md"):
            shutil.copy2(os.path.join(ROOT, name), d)
        return cls(d, make_jobs)

    def clone(self, parent):
        d = tempfile.mkdtemp(prefix="gw502mutate.", dir=parent)
        os.rmdir(d)
        shutil.copytree(self.dir, d, symlinks=True)
        w = Worker(d, self.make_jobs, self.unit_only)
        w.durations, w.users = self.durations, self.users
        return w

    def make(self, targets, timeout=900):
        r = subprocess.run(["make", "-s", "-j%d" % self.make_jobs] + targets, cwd=self.dir,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        return r.returncode == 0

    def binaries(self):
        """build/gw502tui and the unit tests, relative to the scratch tree."""
        units = ["build/tests/" + n
                 for n in sorted(os.listdir(os.path.join(self.dir, "build", "tests")))
                 if n.startswith("test_")]
        return ["build/gw502tui"] + units

    def commands(self, binaries):
        """The fast tests that exercise BINARIES, quickest first (a killed
        mutant stops at its first failing test)."""
        cmds = []
        for b in binaries:
            if b.endswith("/gw502tui"):
                if self.unit_only:
                    continue
                cmds.append(("bash", os.path.join(self.dir, "tests/e2e/test_lab.sh")))
                cmds.append(("bash", os.path.join(self.dir, "tests/e2e/test_cli.sh")))
            else:
                cmds.append((os.path.join(self.dir, b),))
        return sorted(cmds, key=lambda c: self.durations.get(os.path.basename(c[-1]), 0))

    def baseline(self):
        """Builds the unmutated tree, times each test (all must pass) and
        notes which binaries link which object (by their global symbols),
        so a mutant relinks and runs only the tests that contain it."""
        if not self.make(["all", "unit"]):
            return "the unmutated tree does not build"
        for cmd in self.commands(self.binaries()):
            t0 = time.monotonic()
            if self.run_tests([cmd], 600) != "passed":
                return "%s fails on the unmutated tree" % os.path.basename(cmd[-1])
            self.durations[os.path.basename(cmd[-1])] = time.monotonic() - t0
        symbols = {b: set(nm(os.path.join(self.dir, b))) for b in self.binaries()}
        for d, _, names in os.walk(os.path.join(self.dir, "build", "src")):
            for n in names:
                if n.endswith(".o"):
                    obj = os.path.relpath(os.path.join(d, n), self.dir)
                    defined = set(nm(os.path.join(self.dir, obj), "-g"))
                    self.users[obj] = [b for b in self.binaries() if defined & symbols[b]]
        return None

    def run_tests(self, cmds, budget):
        """'passed', 'failed' or 'timeout' for CMDS on the current build."""
        env = dict(os.environ, GW_LAB="0", ROOT=self.dir,
                   GW_BIN=os.path.join(self.dir, "build", "gw502tui"),
                   GW_BUILD=os.path.join(self.dir, "build"))
        deadline = time.monotonic() + budget
        for cmd in cmds:
            ok, timed_out = run_limited(list(cmd), self.dir, env, deadline)
            if timed_out:
                return "timeout"
            if not ok:
                return "failed"
        return "passed"

    def try_mutant(self, m, budget):
        src = os.path.join(self.dir, m.path)
        obj = os.path.join(self.dir, "build", m.path[:-2] + ".o")
        st = os.stat(src)
        with open(src, encoding="utf-8") as f:
            original = f.read()
        if obj not in self.pristine:
            with open(obj, "rb") as f:
                self.pristine[obj] = (f.read(), os.stat(obj))
        lines = original.split("\n")
        assert lines[m.lineno - 1] == m.original, "source changed under the mutant list"
        lines[m.lineno - 1] = m.mutated
        users = [b for b in self.users.get(os.path.relpath(obj, self.dir), [])
                 if not (self.unit_only and b == "build/gw502tui")]
        try:
            with open(src, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            os.remove(obj)
            if not self.make([os.path.relpath(obj, self.dir)] + users):
                return "stillborn"
            return "killed" if self.run_tests(self.commands(users), budget) != "passed" else "survived"
        finally:
            with open(src, "w", encoding="utf-8") as f:
                f.write(original)
            os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
            data, ost = self.pristine[obj]
            with open(obj, "wb") as f:
                f.write(data)
            os.utime(obj, ns=(ost.st_atime_ns, ost.st_mtime_ns))
            lib = os.path.join(self.dir, "build", "libgw.a")
            if os.path.exists(lib):
                os.remove(lib)


def nm(path, *flags):
    """The names of the symbols PATH defines."""
    out = subprocess.run(["nm", "--defined-only"] + list(flags) + [path],
                         capture_output=True, text=True).stdout
    return [f[2] for f in (line.split() for line in out.splitlines()) if len(f) == 3]


def write_report(path, dirs, results, equivalents, all_muts, args, elapsed):
    by_sig = {m.sig: m for m in all_muts}
    lines = ["# Mutation report", "",
             "Sample: %s mutants per directory, seed %s, %d mutants run in %.0f s "
             "(%.1f s each on average)." % (args.sample or "all", args.seed, len(results),
                                             elapsed, elapsed / max(1, len(results))),
             "", "| directory | mutants | killed | survived | stillborn | equivalent (listed) | kill rate |",
             "|---|---|---|---|---|---|---|"]
    total_k = total_s = 0
    for d in dirs:
        rs = [(m, r) for m, r in results if d in (m.directory, m.path)]
        k = sum(1 for _, r in rs if r == "killed")
        s = sum(1 for _, r in rs if r == "survived")
        sb = sum(1 for _, r in rs if r == "stillborn")
        eq = sum(1 for sig in equivalents
                 if sig in by_sig and d in (by_sig[sig].directory, by_sig[sig].path))
        total_k += k
        total_s += s
        rate = "%.1f %%" % (100.0 * k / (k + s)) if k + s else "n/a"
        lines.append("| %s | %d | %d | %d | %d | %d | %s |" % (d, len(rs), k, s, sb, eq, rate))
    rate = 100.0 * total_k / (total_k + total_s) if total_k + total_s else 100.0
    lines.append("| all | %d | %d | %d | %d | | %.1f %% |" % (
        len(results), total_k, total_s,
        sum(1 for _, r in results if r == "stillborn"), rate))
    lines += ["", "## Survivors", ""]
    surv = [m for m, r in results if r == "survived"]
    lines += ["- %s  (`%s`)" % (m.describe(), m.sig) for m in surv] or ["None."]
    lines += ["", "## Equivalent mutants (tests/mutate/equivalent.txt)", ""]
    eqs = [(by_sig[s], r) for s, r in equivalents.items() if s in by_sig]
    eqs.sort(key=lambda mr: mr[0].number)
    lines += ["- %s — %s" % (m.describe(), r) for m, r in eqs] or ["None."]
    stale = [s for s in equivalents if s not in by_sig]
    if stale:
        lines += ["", "Entries matching no current mutant (the line changed): " + ", ".join(stale)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="*", default=DEFAULT_DIRS)
    ap.add_argument("--list", action="store_true", help="print the sampled mutants and stop")
    ap.add_argument("--run", action="store_true", help="build and test the sampled mutants")
    ap.add_argument("--sample", type=int, default=0, help="mutants per directory (0: all)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    ap.add_argument("--timeout", type=int, default=120, help="seconds of tests per mutant")
    ap.add_argument("--report", default=os.path.join(ROOT, "build", "mutate", "report.md"))
    ap.add_argument("--unit-only", action="store_true",
                    help="run the unit tests only: a quick screen while writing "
                    "tests, not the measured rate")
    ap.add_argument("--only", metavar="FILE",
                    help="only the mutants whose signatures FILE lists (one a line), "
                    "e.g. the survivors of an earlier run after tests were added")
    ap.add_argument("--min-rate", type=float, default=0.0,
                    help="exit 1 when the sample's kill rate is below this percentage")
    args = ap.parse_args()
    dirs = [d.rstrip("/") for d in args.dirs]
    muts = all_mutants(dirs)
    equivalents = load_equivalents()
    chosen = sample(muts, dirs, args.sample, args.seed, equivalents)
    if args.only:
        with open(args.only, encoding="utf-8") as f:
            wanted = set(re.findall(r"src/\S+?\.c:[0-9a-f]{10}:\d+", f.read()))
        chosen = [m for m in chosen if m.sig in wanted]
    if args.list or not args.run:
        for m in chosen:
            print("%5d  %-34s %s" % (m.number, m.sig, m.describe()))
        print("# %d of %d mutants (%d equivalent left out)" % (
            len(chosen), len(muts), sum(1 for m in muts if m.sig in equivalents)))
        return 0

    os.makedirs(os.path.dirname(args.report), exist_ok=True)
    # A TERM (CI's timeout, a user) still removes the scratch trees.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parent = tempfile.mkdtemp(prefix="gw502mutate.")
    try:
        first = Worker.create(parent, 2)
        first.unit_only = args.unit_only
        print("# building and testing the unmutated tree in %s" % first.dir, flush=True)
        problem = first.baseline()
        if problem:
            print("mutate: %s" % problem, file=sys.stderr)
            return 2
        print("# fast tests on the unmutated tree: %.1f s" % sum(first.durations.values()),
              flush=True)
        first.make_jobs = 1
        workers = [first] + [first.clone(parent) for _ in range(args.jobs - 1)]
        results, lock = [], threading.Lock()
        queue = list(chosen)
        start = time.monotonic()

        def work(w):
            while True:
                with lock:
                    if not queue:
                        return
                    m = queue.pop(0)
                t0 = time.monotonic()
                r = w.try_mutant(m, args.timeout)
                with lock:
                    results.append((m, r))
                    print("%4d/%d %-9s %5.1fs #%d %s" % (len(results), len(chosen), r,
                                                       time.monotonic() - t0, m.number,
                                                       m.describe()), flush=True)

        threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.sort(key=lambda mr: mr[0].number)
        rate = write_report(args.report, dirs, results, equivalents, muts, args,
                            time.monotonic() - start)
        with open(args.report, encoding="utf-8") as f:
            print(f.read())
        print("# report: %s" % args.report)
        if rate < args.min_rate:
            print("mutate: kill rate %.1f %% is below %.1f %%" % (rate, args.min_rate),
                  file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
