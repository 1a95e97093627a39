"""split.py SCRIPT DIR: cut SCRIPT into parts at its "### " lines, write
them to DIR/00.sh, DIR/01.sh, … (removing older parts), print their paths."""
import os
import sys

script, out = sys.argv[1], sys.argv[2]
parts = [[]]
with open(script) as f:
    for line in f:
        if line.startswith("### ") and parts[-1]:
            parts.append([])
        parts[-1].append(line)
os.makedirs(out, exist_ok=True)
for old in os.listdir(out):
    os.remove(os.path.join(out, old))
names = []
for i, lines in enumerate(parts):
    name = os.path.join(out, "%02d.sh" % i)
    with open(name, "w") as f:
        f.write("set -e\n" + "".join(lines))
    names.append(name)
print(" ".join(names))
