"""An intruder's audit of a published statistics table: for every suppressed count, the
smallest and largest whole number it can be given what is published (the shown counts, the
shown totals, every count at least zero, every row and column adding up), solved as integer
programs by HiGHS through scipy.

Reads the table as Abdi publishes it (JSON, `null` for a suppressed count) on stdin; writes
one line per suppressed count: `row col min max` (row/col -1 for a total)."""

import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

table = json.load(sys.stdin)
rows = [r["cells"] + [r["total"]] for r in table["rows"]]
rows.append(table["totals"] + [table["grand_total"]])
R, C = len(rows), len(rows[0])
unknown = [(r, c) for r in range(R) for c in range(C) if rows[r][c] is None]
index = {cell: i for i, cell in enumerate(unknown)}
n = len(unknown)
if n == 0:
    sys.exit(0)

# Each row: its cells sum to its total; each column: its cells sum to its total.
A, b = [], []
for r in range(R):
    coef, known = np.zeros(n), 0
    for c in range(C):
        sign = -1 if c == C - 1 else 1
        if rows[r][c] is None:
            coef[index[(r, c)]] += sign
        else:
            known += sign * rows[r][c]
    A.append(coef)
    b.append(-known)
for c in range(C):
    coef, known = np.zeros(n), 0
    for r in range(R):
        sign = -1 if r == R - 1 else 1
        if rows[r][c] is None:
            coef[index[(r, c)]] += sign
        else:
            known += sign * rows[r][c]
    A.append(coef)
    b.append(-known)
constraints = LinearConstraint(np.array(A), np.array(b), np.array(b))
bounds = Bounds(np.zeros(n), np.full(n, table["grand_total"]))
integrality = np.ones(n)

for (r, c), i in index.items():
    found = []
    for sense in (1, -1):
        objective = np.zeros(n)
        objective[i] = sense
        res = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
        if not res.success:
            print(f"infeasible {r} {c}: {res.message}", file=sys.stderr)
            sys.exit(2)
        found.append(round(res.x[i]))
    lo, hi = found
    print(r if r < R - 1 else -1, c if c < C - 1 else -1, lo, hi)
