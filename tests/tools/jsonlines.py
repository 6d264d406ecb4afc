#!/usr/bin/env python3
"""jsonlines.py: reads gw502tui's JSON reports (one object per line) for
the end-to-end checkers, and validates every line against the contract,
doc/report.schema.json. It is the one place the suite's checkers turn a
report line into an object.

A line that is not UTF-8, does not parse, is not an object or does not
match the schema is named with FILE:LINE, the reason (for the schema: the
first error and where in the object) and the line itself: a bare
json.loads traceback names neither the file nor the line that broke it.

Validation needs python3-jsonschema (tests/deps.sh test installs it).
Without it the lines are still parsed; with CI=true its absence is a
failure at the first line (CI must validate), otherwise a note on stderr
(tests/e2e/test_schema.sh prints the counted skip).

As a module (tests/e2e/lib.sh puts tests/tools on PYTHONPATH):
    from jsonlines import rows; for r in rows(path): ...   (exits at a bad line)
    from jsonlines import line_row; obj, why = line_row(text, 'where:3')
As a check: jsonlines.py FILE...   one line per bad file (its first bad
line), exit 1 if there is any.
"""
import functools
import json
import os
import sys

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      '..', '..', 'doc', 'report.schema.json')


@functools.lru_cache(maxsize=None)
def validator():
    """(validator, None), or (None, why) when it cannot validate."""
    try:
        import jsonschema
    except ImportError:
        why = 'python3-jsonschema is not installed: cannot validate ' \
              'against doc/report.schema.json'
        if os.environ.get('CI') != 'true':
            print('jsonlines.py: note: ' + why, file=sys.stderr)
        return None, why
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)  # a broken schema is a traceback: a failure
    return cls(schema, format_checker=jsonschema.FormatChecker()), None


def schema_problem(obj):
    """Why OBJ is not a report line the schema allows, or None."""
    v, why = validator()
    if v is None:
        return why if os.environ.get('CI') == 'true' else None
    # the deepest error is the most precise (a bad enum value rather
    # than the if/then of the object holding it)
    errors = sorted(v.iter_errors(obj),
                    key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return None
    e = errors[0]
    at = '/'.join(str(p) for p in e.absolute_path) or '(top level)'
    return 'does not match doc/report.schema.json at %s: %s' % (at, e.message)


def line_row(raw, where):
    """(the object, None) for one report line (bytes or str), or (None, why)
    naming WHERE (FILE:LINE)."""
    try:
        text = raw.decode('utf-8') if isinstance(raw, bytes) else raw
        obj = json.loads(text.rstrip('\n'))
    except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
        return None, '%s: invalid JSON (%s): %.200r' % (where, e, raw)
    if not isinstance(obj, dict):
        return None, '%s: not a JSON object: %.200r' % (where, raw)
    why = schema_problem(obj)
    if why:
        return None, '%s: %s: %.300r' % (where, why, raw)
    return obj, None


def parse(path):
    """(the rows, None), or (the rows before it, why) at the first bad line."""
    out = []
    with open(path, 'rb') as f:
        for n, raw in enumerate(f, 1):
            obj, why = line_row(raw, '%s:%d' % (path, n))
            if why:
                return out, why
            out.append(obj)
    return out, None


def lines_rows(lines, name):
    """Every line of LINES (an iterable: a pipe's stdin, a list) as a dict,
    validated; exits naming NAME:LINE at the first bad one."""
    out = []
    for n, raw in enumerate(lines, 1):
        obj, why = line_row(raw, '%s:%d' % (name, n))
        if why:
            sys.exit(why)
        out.append(obj)
    return out


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
