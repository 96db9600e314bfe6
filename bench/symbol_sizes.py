"""Sums `nm --size-sort --print-size --demangle=rust` by crate (bench/mobile --crates).

argv[1]: the stripped library's size, to say how much of it the symbols account for.
"""
import re
import sys
from collections import defaultdict

stripped = int(sys.argv[1])
by_crate = defaultdict(int)
for line in sys.stdin:
    parts = line.split(maxsplit=3)
    if len(parts) < 4:
        continue
    size, kind, name = int(parts[1], 16), parts[2], parts[3].strip()
    if kind.lower() not in "tdrb":
        continue
    # `<path::T as path::Trait>::f` counts for T's crate; for a bare `<T as path::Trait>` (a
    # generic parameter, a primitive) the trait's.
    name = name.lstrip("<&*")
    name = re.sub(r"^(mut |dyn |const )", "", name)
    m = re.match(r"^([^<>]*?) as ([^<>]*)", name)
    if m and "::" not in m.group(1):
        name = m.group(2)
    if "::" in name:
        crate = name.split("::", 1)[0]
    elif name.startswith("_ZN") or name.startswith("$"):
        crate = "(unmangled rust)"
    elif name.startswith("ring_core"):
        crate = "ring (C and assembly)"
    else:
        crate = "(other C symbols)"
    by_crate[crate] += size
total = sum(by_crate.values())
print("| crate | bytes | MiB | share of the symbols |")
print("|---|---|---|---|")
for crate, size in sorted(by_crate.items(), key=lambda kv: -kv[1])[:30]:
    print(f"| {crate} | {size:,} | {size / 1048576:.2f} | {100 * size / total:.1f}% |")
print(f"| all symbols | {total:,} | {total / 1048576:.2f} | of a stripped {stripped / 1048576:.2f} MiB |")
