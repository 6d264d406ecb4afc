#!/bin/bash
# Mutation testing (issue 19): `make mutate` and CI call this.
#   tests/mutate/run.sh [mutate.py options]   e.g. --sample 40 --jobs 2
#   tests/mutate/run.sh --ci                  CI's fixed sample; fails below
#                                             the kill-rate threshold
# Every mutant is built in a scratch copy under $TMPDIR; the worktree is
# never edited. The report goes to build/mutate/report.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
# CI: 2 cores, at most 10 minutes; measured cost in doc/testing.md.
CI_SAMPLE=10
CI_SEED=ci
CI_MIN_RATE=70
if [ "${1:-}" = --ci ]; then
	shift
	set -- --sample "$CI_SAMPLE" --seed "$CI_SEED" --jobs 2 --min-rate "$CI_MIN_RATE" \
	    --report build/mutate/ci-report.md "$@"
fi
exec python3 tests/mutate/mutate.py --run "$@"
