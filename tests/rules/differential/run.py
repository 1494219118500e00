#!/usr/bin/env python3
"""Differential test: Talaia and rsigma (an independent Sigma engine) on the same rules and events.

    tests/rules/differential/run.py TALAIA RSIGMA [RULES_DIR] [EVENTS] [CONFIG]

Events: every log line of the test cases kept beside the rules (*.tests.yml), then variants of
them (digits changed, case changed, words inserted, cut short) up to EVENTS (default 100,000),
turned into JSON events by `talaia decode` (the collectors' own parser). Both engines read the
same NDJSON; every (event, rule) match must agree. With CONFIG (a talaia.yaml), both engines get
its `sigma:` field mappings and those logsource routes whose conditions are plain `field: value`:
Talaia through a config holding just them, rsigma through the same translated into a processing
pipeline (field_name_mapping and add_condition per route, by logsource). Routes with modifiers in
their condition keys (`cisco.mnemonic|re`) are left out for both: rsigma 0.23's add_condition
takes its keys as plain field names. Exit 0 when they do, 1 otherwise, 77 (skip)
when rsigma is missing. Deliberate differences are listed in DELIBERATE below and in
rules/README.md. Registered with ctest as rules_differential_rsigma.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import yaml

talaia, rsigma = sys.argv[1], sys.argv[2]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
rules_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "deploy", "rules")
wanted = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
config = sys.argv[5] if len(sys.argv) > 5 else None

# Rule ids whose disagreement is a documented choice (rules/README.md, "Against rsigma").
DELIBERATE = {
    # lnx_susp_jexboss: a keyword map with a modifier ('|all': [...]). The specification and
    # pySigma search each keyword anywhere in the event; rsigma 0.23 never matches such a map.
    "8ec2c8b4-557a-4121-b87c-5dfb3a602fae",
    # cisco_bgp_md5_auth_failed and huawei_bgp_auth_failed: the same kind of keyword map
    # ('|all': [':179', ...]); same choice.
    "56fa3cd6-f8d6-4520-a8c7-607292971886",
    "a557ffe6-ac54-43d2-ae69-158027082350",
}

if not os.access(rsigma, os.X_OK):
    print(f"rsigma not found at {rsigma}: skipped")
    sys.exit(77)


def base_lines():
    for base, _, files in os.walk(rules_dir):
        for name in sorted(files):
            if name.endswith(".tests.yml"):
                with open(os.path.join(base, name)) as f:
                    for doc in yaml.safe_load_all(f):
                        for key in ("match", "no_match"):
                            for case in (doc or {}).get(key) or []:
                                if isinstance(case, dict) and "line" in case:
                                    yield case["line"]


WORDS = ["root", "admin", "tmp", "bash", "-i", "/dev/tcp/", "FOUND", "REPLACE", "sshd", "nc", "@", ":", "wget"]


def variant(line, rng):
    header, sep, message = line.partition(": ") if "]: " in line or ": " in line else (line, "", "")
    choice = rng.randrange(6)
    if choice == 0:
        message = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in message)
    elif choice == 1:
        message = message.upper() if rng.random() < 0.5 else message.lower()
    elif choice == 2:
        words = message.split(" ")
        words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
        message = " ".join(words)
    elif choice == 3 and message:
        message = message[: rng.randrange(len(message))]
    elif choice == 4:
        message = message.replace(" ", "  ", 1)
    return header + sep + message


def write_routes(config_path, work):
    """The config's mappings and plain-condition routes: (Talaia config, rsigma pipeline) paths."""
    with open(config_path) as f:
        sigma = (yaml.safe_load(f) or {}).get("sigma") or {}
    routes = [r for r in sigma.get("logsources") or []
              if all("|" not in key for key in (r.get("conditions") or {}))]
    steps = []
    for i, r in enumerate(routes):
        covers = [dict(type="logsource", **{k: r[k] for k in ("product", "category", "service") if k in r})]
        if r.get("field_mappings"):
            steps.append(dict(id=f"route{i}_fields", type="field_name_mapping", mapping=r["field_mappings"],
                              rule_conditions=covers))
        if r.get("conditions"):
            steps.append(dict(id=f"route{i}_conditions", type="add_condition", conditions=r["conditions"],
                              rule_conditions=covers))
    if sigma.get("field_mappings"):
        steps.append(dict(id="global_fields", type="field_name_mapping", mapping=sigma["field_mappings"]))
    ours, theirs = os.path.join(work, "talaia.yaml"), os.path.join(work, "pipeline.yml")
    with open(ours, "w") as f:
        yaml.safe_dump(dict(sigma=dict(placeholders=sigma.get("placeholders") or {},
                                       field_mappings=sigma.get("field_mappings") or {}, logsources=routes)),
                       f, sort_keys=False)
    with open(theirs, "w") as f:
        yaml.safe_dump(dict(name="talaia routes", priority=10, transformations=steps), f, sort_keys=False)
    return ours, theirs


lines = list(base_lines())
rng = random.Random(42)
events = list(lines)
while len(events) < wanted:
    events.append(variant(rng.choice(lines), rng))

with tempfile.TemporaryDirectory() as work:
    # The rules both engines read: the folder without its test-case files (they are no rules).
    rules_copy = os.path.join(work, "rules")
    shutil.copytree(rules_dir, rules_copy, ignore=shutil.ignore_patterns("*.tests.yml"))
    log = os.path.join(work, "events.log")
    with open(log, "w") as f:
        f.write("\n".join(e.replace("\n", " ") for e in events) + "\n")
    ndjson = os.path.join(work, "events.ndjson")
    with open(ndjson, "w") as f:
        subprocess.run([talaia, "decode", log], stdout=f, check=True)

    our_flags, their_flags = [], []
    if config:
        our_config, pipeline = write_routes(config, work)
        our_flags, their_flags = ["--config", our_config], ["-p", pipeline]

    ours = set()
    out = subprocess.run([talaia, "rules", "match", *our_flags, "--events", ndjson, rules_copy],
                         capture_output=True, text=True)
    for row in out.stdout.splitlines():
        number, rule = row.split("\t", 1)
        ours.add((int(number), rule))

    # rsigma: one JSON object per match; the event is included to know which line it was.
    theirs = set()
    cmd = [rsigma, "engine", "eval", "-r", rules_copy, "-e", "@" + ndjson, *their_flags, "--include-event",
           "--output-format", "ndjson", "-q"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0 and not out.stdout:
        print("rsigma failed:", out.stderr[:2000])
        sys.exit(1)
    for row in out.stdout.splitlines():
        try:
            m = json.loads(row)
        except json.JSONDecodeError:
            continue
        event = m.get("event")
        if not isinstance(event, dict) or "matched_selections" not in m:
            continue  # correlation results: the correlator's business, not compared here
        rule = m.get("rule_id") or m.get("rule_title")
        event_id = event.get("id", "")
        number = int(event_id.rsplit(":", 1)[-1]) if event_id else -1
        theirs.add((number, rule))

only_ours = sorted(ours - theirs)
only_theirs = sorted(theirs - ours)
problems = [d for d in only_ours + only_theirs if d[1] not in DELIBERATE]
print(f"{len(events)} events, {len(lines)} from test cases; talaia {len(ours)} matches, rsigma {len(theirs)}; "
      f"{len(only_ours)} only talaia, {len(only_theirs)} only rsigma, {len(problems)} not deliberate")
if len(lines) == 0 or len(ours) == 0:
    print("no test cases or no matches: nothing was compared")
    sys.exit(1)
for number, rule in problems[:20]:
    side = "talaia only" if (number, rule) in ours else "rsigma only"
    print(f"  {side}: rule {rule} on event {number}: {events[number - 1][:160] if number > 0 else '?'}")
sys.exit(1 if problems else 0)
