"""An intruder's audit of the published statistics tables, solved together: for every
suppressed count, the smallest and largest whole number it can be given everything published
(the shown counts, the shown totals, every count at least zero, every row and column adding
up), as integer programs solved by HiGHS through scipy.

The tables share counts, and the intruder knows it: every table's row total is the same
perangkat daerah's headcount, and the employment type's `pppk` column counts the same people as
the retirement year's `none` column (PPPK have no BUP), so each such count is one unknown across
the tables.

Reads a JSON list of tables as Abdi publishes them (`null` for a suppressed count) on stdin;
writes one line per unknown: `key min max`."""

import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

tables = json.load(sys.stdin)
index = {}


def var(key):
    return index.setdefault(key, len(index))


def key_of(t, r, c, R, C):
    """The unknown a suppressed cell is: shared ones by what they count."""
    dim = t["dimension"]
    col = t["columns"][c]["code"] if c < C - 1 else None
    unit = t["rows"][r]["unit_code"] if r < R - 1 else "*"
    if c == C - 1 and r < R - 1:
        return ("headcount", unit)
    if (dim, col) in (("employment_type", "pppk"), ("retirement_year", "none")):
        return ("pppk", unit)
    return (dim, r, c)


equations = []  # (coefficients by unknown, constant): sum(coef * x) + constant == 0
grand = 0
for t in tables:
    rows = [r["cells"] + [r["total"]] for r in t["rows"]]
    rows.append(t["totals"] + [t["grand_total"]])
    grand = max(grand, t["grand_total"])
    R, C = len(rows), len(rows[0])
    for line in [[(r, c) for c in range(C)] for r in range(R)] + [
        [(r, c) for r in range(R)] for c in range(C)
    ]:
        coef, known = {}, 0
        for r, c in line:
            # The last cell of a line is its total: the others minus it is zero.
            last = (c == C - 1) if line[0][0] == line[-1][0] else (r == R - 1)
            sign = -1 if last else 1
            if rows[r][c] is None:
                k = var(key_of(t, r, c, R, C))
                coef[k] = coef.get(k, 0) + sign
            else:
                known += sign * rows[r][c]
        equations.append((coef, known))

n = len(index)
if n == 0:
    sys.exit(0)
A = np.zeros((len(equations), n))
b = np.zeros(len(equations))
for i, (coef, known) in enumerate(equations):
    for k, v in coef.items():
        A[i, k] = v
    b[i] = -known
constraints = LinearConstraint(A, b, b)
bounds = Bounds(np.zeros(n), np.full(n, grand))
integrality = np.ones(n)
for key, i in index.items():
    found = []
    for sense in (1, -1):
        objective = np.zeros(n)
        objective[i] = sense
        res = milp(objective, constraints=constraints, bounds=bounds, integrality=integrality)
        if not res.success:
            print(f"infeasible at {key}: {res.message}", file=sys.stderr)
            sys.exit(2)
        found.append(round(res.x[i]))
    print(json.dumps({"key": list(key), "min": found[0], "max": found[1]}))
