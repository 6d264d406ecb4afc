#!/usr/bin/env python3
"""jsonlines.py: reads gw502tui's JSON reports (one object per line) for
the end-to-end checkers.

A line that is not UTF-8, does not parse or is not an object is named with
FILE:LINE, the parser's message and the line itself: a bare json.loads
traceback names neither the file nor the line that broke it.

As a module (tests/e2e/lib.sh puts tests/tools on PYTHONPATH):
    from jsonlines import rows; for r in rows(path): ...   (exits at a bad line)
As a check: jsonlines.py FILE...   one line per bad file (its first bad
line), exit 1 if there is any.
"""
import json
import sys


def parse(path):
    """(the rows, None), or (the rows before it, why) at the first bad line."""
    out = []
    with open(path, 'rb') as f:
        for n, raw in enumerate(f, 1):
            try:
                obj = json.loads(raw.decode('utf-8').rstrip('\n'))
            except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
                return out, '%s:%d: invalid JSON (%s): %.200r' % (path, n, e, raw)
            if not isinstance(obj, dict):
                return out, '%s:%d: not a JSON object: %.200r' % (path, n, raw)
            out.append(obj)
    return out, None


def rows(path):
    """Every line of PATH as a dict; exits naming the first bad line."""
    out, why = parse(path)
    if why:
        sys.exit(why)
    return out


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: jsonlines.py FILE...')
    bad = [why for why in (parse(p)[1] for p in sys.argv[1:]) if why]
    for why in bad:
        print(why)
    sys.exit(1 if bad else 0)
