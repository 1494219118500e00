#!/usr/bin/env python3
"""Writes N variants of the shipped rules (deploy/rules) with other values into OUT_DIR.

    bench/detect/gen_rules.py OUT_DIR [N]        (default N: 1000)

Each variant keeps a shipped rule's structure (keywords, fields, modifiers, condition) and
changes its id, title and every string value (a suffix per variant), so the set has as many
distinct patterns as a large real pack, while the shipped rules themselves still match as before.
"""
import os
import sys
import uuid

import yaml

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
out_dir = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000


def shipped_rules():
    for base, _, files in os.walk(os.path.join(root, "deploy", "rules")):
        for name in sorted(files):
            if name.endswith(".yml") and not name.endswith(".tests.yml"):
                with open(os.path.join(base, name)) as f:
                    for doc in yaml.safe_load_all(f):
                        if isinstance(doc, dict) and "detection" in doc:
                            yield doc


def vary(value, n, key=""):
    if isinstance(value, dict):
        return {k: vary(v, n, k) for k, v in value.items()}
    if isinstance(value, list):
        return [vary(v, n, key) for v in value]
    if isinstance(value, str):
        if "|cidr" in key or "|re" in key or value in ("", "*"):
            return value
        return value + f"v{n}" if not value.endswith("*") else value[:-1] + f"v{n}*"
    return value


rules = list(shipped_rules())
os.makedirs(out_dir, exist_ok=True)
for n in range(count):
    base = rules[n % len(rules)]
    doc = dict(base)
    doc["id"] = str(uuid.UUID(int=n + 1))
    doc["title"] = f"{base['title']} (variant {n})"
    doc.pop("name", None)
    detection = {k: (v if k == "condition" else vary(v, n)) for k, v in base["detection"].items()}
    doc["detection"] = detection
    with open(os.path.join(out_dir, f"variant_{n:05d}.yml"), "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
print(f"{count} rules from {len(rules)} shipped ones in {out_dir}")
