#!/usr/bin/env python3
"""Checks the shipped CI files: action.yml, .github/workflows/*.yml, ci/gitlab/*.yml.

- every file is valid YAML;
- GitHub workflows: a trigger, jobs that run on GitHub-hosted Ubuntu runners, steps that
  either `run:` or `uses:` an action published by GitHub (actions/*) or a local one;
- no `${{ inputs.* }}`, `${{ github.event.* }}` or `${{ steps.*.outputs.* }}` expression is
  interpolated into a `run:` script (they go through `env:`), so nothing a PR author
  controls can become shell code;
- the composite action declares its inputs/outputs and gives every run step a shell;
- the GitLab template's jobs have a script and known stages.
Exit 0 when all hold; otherwise prints every problem with its file and exits 1.
"""
import pathlib
import re
import sys

import yaml

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
problems = []
UNSAFE = re.compile(r"\$\{\{\s*(inputs\.|github\.event\.|github\.head_ref|steps\.[^}]*outputs)")
ALLOWED_OWNERS = ("actions/",)
HOSTED = re.compile(r"^(ubuntu-(latest|\d\d\.\d\d)(-arm)?)$")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        problems.append(f"{path}: invalid YAML: {e}")
        return None


def check_steps(path, where, steps):
    if not isinstance(steps, list) or not steps:
        problems.append(f"{path}: {where}: no steps")
        return
    for i, step in enumerate(steps):
        label = f"{where}.steps[{i}]"
        if "run" in step:
            if UNSAFE.search(str(step["run"])):
                problems.append(f"{path}: {label}: an untrusted ${{{{ }}}} expression is "
                                "interpolated into a run: script (pass it through env:)")
        elif "uses" in step:
            uses = str(step["uses"])
            if not (uses.startswith("./") or uses.startswith(ALLOWED_OWNERS)):
                problems.append(f"{path}: {label}: uses {uses}, not a GitHub-published action")
            if not uses.startswith("./") and "@" not in uses:
                problems.append(f"{path}: {label}: {uses} is not pinned to a version")
        else:
            problems.append(f"{path}: {label}: neither run: nor uses:")


workflows = sorted((root / ".github" / "workflows").glob("*.yml"))
if not workflows:
    problems.append(f"{root}/.github/workflows: no workflow files")
for wf in workflows:
    doc = load(wf)
    if doc is None:
        continue
    # YAML 1.1 reads the key `on` as True.
    if "on" not in doc and True not in doc:
        problems.append(f"{wf}: no trigger (on:)")
    jobs = doc.get("jobs") or {}
    if not jobs:
        problems.append(f"{wf}: no jobs")
    for name, job in jobs.items():
        runs_on = job.get("runs-on")
        if not isinstance(runs_on, str) or not HOSTED.match(runs_on):
            problems.append(f"{wf}: jobs.{name}: runs-on {runs_on!r} is not a GitHub-hosted Ubuntu runner")
        check_steps(wf, f"jobs.{name}", job.get("steps"))

action = root / "action.yml"
doc = load(action)
if doc is not None:
    for key in ("name", "description", "inputs", "outputs", "runs"):
        if key not in doc:
            problems.append(f"{action}: missing {key}")
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append(f"{action}: runs.using is {runs.get('using')!r}, expected composite")
    for i, step in enumerate(runs.get("steps") or []):
        if "run" in step and "shell" not in step:
            problems.append(f"{action}: runs.steps[{i}]: a run step needs shell:")
    check_steps(action, "runs", runs.get("steps"))

for gl in sorted((root / "ci" / "gitlab").glob("*.yml")):
    # A CI/CD component: a `spec:` header document, `---`, then the jobs.
    try:
        with open(gl, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        problems.append(f"{gl}: invalid YAML: {e}")
        continue
    if len(docs) == 2 and "spec" in docs[0]:
        if "inputs" not in docs[0]["spec"]:
            problems.append(f"{gl}: spec: has no inputs")
        doc = docs[1]
    elif len(docs) == 1:
        doc = docs[0]
    else:
        problems.append(f"{gl}: expected a spec header and one document of jobs")
        continue
    if not any(isinstance(j, dict) and "script" in j for j in doc.values()):
        problems.append(f"{gl}: no job with a script")
    stages = doc.get("stages")
    for name, job in doc.items():
        if name.startswith(".") or not isinstance(job, dict) or name in ("stages", "variables", "default", "include", "workflow"):
            continue
        if "script" not in job and "extends" not in job:
            problems.append(f"{gl}: job {name}: no script")
        if stages and job.get("stage") and job["stage"] not in stages:
            problems.append(f"{gl}: job {name}: stage {job['stage']!r} is not in stages")

for p in problems:
    print(p)
print(f"checked {len(workflows)} workflow(s), action.yml and the GitLab template: "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
