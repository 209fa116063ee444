#!/usr/bin/env python3
"""Checks the shipped CI files: action.yml, .github/workflows/*.yml, ci/gitlab/*.yml.

- every file is valid YAML;
- GitHub workflows: a trigger, jobs that run on GitHub-hosted Ubuntu runners, steps that
  either `run:` or `uses:` an action published by GitHub (actions/*) or a local one;
- every action from another repository is pinned to a full commit SHA with its tag in a
  comment on the same line (`uses: actions/checkout@<40 hex> # v7.0.1`);
- the release workflow builds a .deb per distribution in containers (Debian 12, Ubuntu
  22.04 and 24.04) and attaches them to a release; the example workflow has a push-to-main
  baseline refresh job with a concurrency group that never cancels;
- no `${{ inputs.* }}`, `${{ github.event.* }}` or `${{ steps.*.outputs.* }}` expression is
  interpolated into a `run:` script (they go through `env:`), so nothing a PR author
  controls can become shell code;
- the composite action: name, description, inputs, outputs (each with a description and a
  value from a step that exists), runs.using composite, every step run+shell or uses; it
  passes every step output benchgate writes through;
- the GitLab template's jobs have a script and known stages, `rules:` for merge requests and
  the default branch, `resource_group`, `interruptible`, `tags`, and an MR note lookup by
  marker and author over every page of notes;
- the sharding examples (examples/ci/github-sharded.yml, gitlab-sharded.yml; docs/ci.md,
  "Sharding"): the GitHub one passes every workflow check above, has a matrix of shards that
  does not fail fast, runs `--shard auto` with BENCHGATE_SHARD_INDEX/TOTAL from the matrix,
  uploads each shard's folder even on failure under a name per shard, and a merge job that
  needs the shards, runs always, downloads every shard, runs `benchgate merge` and comments
  on the PR; the GitLab one has a `parallel: N` job running `--shard auto` whose artifacts are
  kept even on failure and a merge job in a later stage that needs it with its artifacts,
  runs always and runs `benchgate merge`; both name a suite that exists.
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
PINNED = re.compile(r"^\s*(-\s+)?uses:\s*([^\s#]+)@([^\s#]+)(\s+#\s*(\S+))?\s*$")
SHA = re.compile(r"^[0-9a-f]{40}$")
# The step outputs benchgate writes to $GITHUB_OUTPUT (report/github.cpp) and the action
# must pass through.
BENCHGATE_OUTPUTS = ["status", "exit-code", "outcome", "regressions", "improvements", "warnings",
                     "inconclusive", "not-comparable", "failed-runs", "informational",
                     "report-dir", "results", "junit", "summary", "html", "metrics"]
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


def check_pins(path):
    """Every `uses:` of another repository's action: a full commit SHA and `# <tag>`."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = PINNED.match(line)
            if not m or m.group(2).startswith("./"):
                continue
            if not SHA.match(m.group(3)):
                problems.append(f"{path}:{n}: {m.group(2)}@{m.group(3)} is not pinned to a commit SHA")
            elif not m.group(5) or not re.match(r"^v\d+(\.\d+)*$", m.group(5)):
                problems.append(f"{path}:{n}: {m.group(2)}@{m.group(3)}: no '# vX.Y.Z' tag comment")


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
    check_pins(wf)

release = root / ".github" / "workflows" / "release.yml"
doc = load(release) if release.exists() else None
if doc is None:
    problems.append(f"{release}: missing (the .deb per distribution)")
else:
    on = doc.get("on", doc.get(True)) or {}
    if "tags" not in (on.get("push") or {}):
        problems.append(f"{release}: not triggered by pushed tags")
    deb = (doc.get("jobs") or {}).get("deb") or {}
    images = {str(i.get("image")) for i in ((deb.get("strategy") or {}).get("matrix") or {}).get("include", [])}
    for want in ("debian:12", "ubuntu:22.04", "ubuntu:24.04"):
        if want not in images:
            problems.append(f"{release}: no container job for {want}")
    if deb.get("container") != "${{ matrix.image }}":
        problems.append(f"{release}: jobs.deb does not run in the matrix image's container")
    text = release.read_text(encoding="utf-8")
    for needle in ("cpack -G DEB", "gh release upload", "-DBENCHGATE_BUILD_TESTS=OFF"):
        if needle not in text:
            problems.append(f"{release}: does not contain {needle!r}")
    publish = (doc.get("jobs") or {}).get("publish") or {}
    if (publish.get("permissions") or {}).get("contents") != "write":
        problems.append(f"{release}: jobs.publish needs contents: write to upload release assets")

example = root / ".github" / "workflows" / "perf-gate-example.yml"
doc = load(example)
if doc is not None:
    on = doc.get("on", doc.get(True)) or {}
    if "main" not in ((on.get("push") or {}).get("branches") or []):
        problems.append(f"{example}: no push-to-main trigger (the baseline refresh)")
    job = (doc.get("jobs") or {}).get("refresh-baseline")
    if not job:
        problems.append(f"{example}: no refresh-baseline job")
    else:
        cg = job.get("concurrency") or {}
        if not cg.get("group") or cg.get("cancel-in-progress") is not False:
            problems.append(f"{example}: refresh-baseline needs a concurrency group that does not cancel")
        if (job.get("permissions") or {}).get("contents") != "write":
            problems.append(f"{example}: refresh-baseline needs contents: write")
        runs = "\n".join(str(st.get("run", "")) for st in job.get("steps") or [])
        for needle in ("baseline update", "history/", "git push"):
            if needle not in runs:
                problems.append(f"{example}: refresh-baseline does not run {needle!r}")

action = root / "action.yml"
doc = load(action)
if doc is not None:
    for key in ("name", "description", "inputs", "outputs", "runs"):
        if key not in doc:
            problems.append(f"{action}: missing {key}")
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append(f"{action}: runs.using is {runs.get('using')!r}, expected composite")
    step_ids = set()
    for i, step in enumerate(runs.get("steps") or []):
        if "run" in step and "shell" not in step:
            problems.append(f"{action}: runs.steps[{i}]: a run step needs shell:")
        if "run" in step and "uses" in step:
            problems.append(f"{action}: runs.steps[{i}]: both run: and uses:")
        if "id" in step:
            step_ids.add(step["id"])
    check_steps(action, "runs", runs.get("steps"))
    check_pins(action)
    for name, spec in (doc.get("inputs") or {}).items():
        if not isinstance(spec, dict) or not spec.get("description"):
            problems.append(f"{action}: input {name}: no description")
    outputs = doc.get("outputs") or {}
    for name, spec in outputs.items():
        if not isinstance(spec, dict) or not spec.get("description") or "value" not in spec:
            problems.append(f"{action}: output {name}: needs a description and a value")
            continue
        m = re.match(r"^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.", str(spec["value"]))
        if not m or m.group(1) not in step_ids:
            problems.append(f"{action}: output {name}: value {spec['value']!r} is not a step's output")
    for name in BENCHGATE_OUTPUTS:
        if name not in outputs:
            problems.append(f"{action}: benchgate's step output {name!r} is not passed through")

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

def check_gitlab_job(gl, name, job, text):
    rules = job.get("rules")
    conds = " ".join(str(r.get("if", "")) for r in rules or [] if isinstance(r, dict))
    if "merge_request_event" not in conds:
        problems.append(f"{gl}: job {name}: no rules: entry for merge request pipelines")
    if "$CI_DEFAULT_BRANCH" not in conds:
        problems.append(f"{gl}: job {name}: no rules: entry for the default branch")
    for key in ("resource_group", "interruptible", "tags"):
        if key not in job:
            problems.append(f"{gl}: job {name}: no {key}")
    script = "\n".join(str(x) for x in (job.get("script") or []) + (job.get("after_script") or []))
    if "author" not in script or "/user" not in script:
        problems.append(f"{gl}: job {name}: the MR note is not looked up by its author")
    if "page=" not in script or "x-next-page" not in script.lower():
        problems.append(f"{gl}: job {name}: the MR notes are not read page by page")
    reports = (job.get("artifacts") or {}).get("reports") or {}
    if "metrics" in reports and "Premium" not in text:
        problems.append(f"{gl}: artifacts:reports:metrics needs GitLab Premium; the template must say so")


for gl in sorted((root / "ci" / "gitlab").glob("*.yml")):
    with open(gl, encoding="utf-8") as f:
        text = f.read()
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        continue  # reported above
    jobs = docs[-1] if docs else {}
    for name, job in jobs.items():
        if isinstance(job, dict) and "script" in job:
            check_gitlab_job(gl, name, job, text)


def check_sharding_examples():
    gh = root / "examples" / "ci" / "github-sharded.yml"
    doc = load(gh) if gh.exists() else None
    if doc is None:
        problems.append(f"{gh}: missing or unreadable (the GitHub sharding example)")
    else:
        jobs = doc.get("jobs") or {}
        shard, merge = jobs.get("shard") or {}, jobs.get("merge") or {}
        strategy = shard.get("strategy") or {}
        shards = (strategy.get("matrix") or {}).get("shard")
        if not isinstance(shards, list) or len(shards) < 2:
            problems.append(f"{gh}: jobs.shard: no matrix of shards (matrix.shard: [1, 2, ...])")
        if strategy.get("fail-fast") is not False:
            problems.append(f"{gh}: jobs.shard: fail-fast must be false (a failed shard must not cancel the others)")
        steps = shard.get("steps") or []
        run = next((st for st in steps if "--shard auto" in str(st.get("run", ""))), None)
        if run is None:
            problems.append(f"{gh}: jobs.shard: no step runs benchgate run --shard auto")
        else:
            env = run.get("env") or {}
            if "matrix.shard" not in str(env.get("BENCHGATE_SHARD_INDEX", "")):
                problems.append(f"{gh}: jobs.shard: BENCHGATE_SHARD_INDEX does not come from the matrix")
            if str(env.get("BENCHGATE_SHARD_TOTAL", "")) != str(len(shards or [])):
                problems.append(f"{gh}: jobs.shard: BENCHGATE_SHARD_TOTAL is not the matrix size")
        up = [st for st in steps if "upload-artifact" in str(st.get("uses", ""))]
        if not up or up[0].get("if") != "always()" or "matrix.shard" not in str((up[0].get("with") or {}).get("name")):
            problems.append(f"{gh}: jobs.shard: each shard must upload its folder under its own name, if: always()")
        needs = merge.get("needs")
        if needs != "shard" and "shard" not in (needs or []):
            problems.append(f"{gh}: jobs.merge: does not need the shard jobs")
        if "always()" not in str(merge.get("if", "")):
            problems.append(f"{gh}: jobs.merge: must run always (a failed shard is reported, not hidden)")
        msteps = merge.get("steps") or []
        if not any("download-artifact" in str(st.get("uses", "")) for st in msteps):
            problems.append(f"{gh}: jobs.merge: does not download the shards' artifacts")
        if not any("benchgate merge" in str(st.get("run", "")) for st in msteps):
            problems.append(f"{gh}: jobs.merge: does not run benchgate merge")
        if not any("createComment" in str((st.get("with") or {}).get("script", "")) for st in msteps):
            problems.append(f"{gh}: jobs.merge: does not comment on the PR")
        if (merge.get("permissions") or {}).get("pull-requests") != "write":
            problems.append(f"{gh}: jobs.merge: needs pull-requests: write for the comment")
        # And everything the workflows above are checked for.
        for name, job in jobs.items():
            if not HOSTED.match(str(job.get("runs-on"))):
                problems.append(f"{gh}: jobs.{name}: runs-on is not a GitHub-hosted Ubuntu runner")
            check_steps(gh, f"jobs.{name}", job.get("steps"))
        check_pins(gh)
        for suite in re.findall(r"-c\s+(\S+\.toml)", gh.read_text(encoding="utf-8")):
            if not (root / suite).exists():
                problems.append(f"{gh}: the suite {suite} does not exist")

    gl = root / "examples" / "ci" / "gitlab-sharded.yml"
    doc = load(gl) if gl.exists() else None
    if doc is None:
        problems.append(f"{gl}: missing or unreadable (the GitLab sharding example)")
        return
    stages = doc.get("stages") or []
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}

    def script_of(job):
        out = []
        for line in job.get("script") or []:
            out.extend(line if isinstance(line, list) else [line])
        return "\n".join(str(x) for x in out)

    shard = [(n, j) for n, j in jobs.items() if isinstance(j.get("parallel"), int)]
    if not shard:
        problems.append(f"{gl}: no job with parallel: N")
        return
    sname, sjob = shard[0]
    if sjob["parallel"] < 2:
        problems.append(f"{gl}: job {sname}: parallel must be at least 2")
    if "--shard auto" not in script_of(sjob):
        problems.append(f"{gl}: job {sname}: does not run benchgate run --shard auto")
    art = sjob.get("artifacts") or {}
    if art.get("when") != "always" or not any("CI_NODE_INDEX" in str(p) for p in art.get("paths") or []):
        problems.append(f"{gl}: job {sname}: each shard's folder must be kept (artifacts: when: always)")
    merges = [(n, j) for n, j in jobs.items() if "benchgate merge" in script_of(j)]
    if not merges:
        problems.append(f"{gl}: no job runs benchgate merge")
        return
    mname, mjob = merges[0]
    needs = mjob.get("needs") or []
    if not any((isinstance(x, dict) and x.get("job") == sname and x.get("artifacts") is True) or x == sname
               for x in needs):
        problems.append(f"{gl}: job {mname}: does not need {sname} with its artifacts")
    if any(r.get("when") != "always" for r in mjob.get("rules") or [] if isinstance(r, dict)) or not mjob.get("rules"):
        problems.append(f"{gl}: job {mname}: must run always (rules: when: always)")
    for name, job in jobs.items():
        if job.get("stage") not in stages:
            problems.append(f"{gl}: job {name}: stage {job.get('stage')!r} is not in stages")
    if stages.index(mjob.get("stage", stages[0])) <= stages.index(sjob.get("stage", stages[0])):
        problems.append(f"{gl}: job {mname}: must come in a later stage than {sname}")
    suite = str((doc.get("variables") or {}).get("BENCHGATE_SUITE", ""))
    if not suite or not (root / suite).exists():
        problems.append(f"{gl}: variables.BENCHGATE_SUITE {suite!r} does not exist")


check_sharding_examples()

for p in problems:
    print(p)
print(f"checked {len(workflows)} workflow(s), action.yml, the GitLab template and the sharding examples: "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
