"""The workflows implement the gate: the deploy job depends on the audit job of the same run,
and the audit's baseline is the published tag (and the live log), never the push event alone.
The baseline step's own shell is run in a real repository after a force push to prove it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github/workflows"


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs", [])
    return {needs} if isinstance(needs, str) else set(needs)


def _ancestors(jobs: dict[str, Any], name: str) -> set[str]:
    out: set[str] = set()
    todo = list(_needs(jobs[name]))
    while todo:
        job = todo.pop()
        if job not in out:
            out.add(job)
            todo += _needs(jobs[job])
    return out


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def test_deploy_needs_the_audit_of_the_same_run() -> None:
    site = _load("site.yml")
    jobs = site["jobs"]
    assert "audit" in _needs(jobs["deploy"])  # directly, not only through the build
    assert "audit" in _ancestors(jobs, "build") and "audit" in _ancestors(jobs, "shard")
    triggers = site.get("on", site.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers and triggers["push"]["branches"] == ["main"]
    # the audit job may not be skipped or allowed to fail on the way to the deploy
    assert "if" not in jobs["audit"] and not jobs["audit"].get("continue-on-error")
    for step in jobs["audit"]["steps"]:
        assert not step.get("continue-on-error"), step


def test_every_shard_judges_the_same_day() -> None:
    # a daily rebuild near midnight: shards judging different days would not merge
    jobs = _load("site.yml")["jobs"]
    assert jobs["audit"]["outputs"]["today"] == "${{ steps.today.outputs.today }}"
    (step,) = [s for s in jobs["shard"]["steps"] if "sunlight build" in str(s.get("run", ""))]
    assert '--today "$TODAY"' in step["run"]
    assert step["env"]["TODAY"] == "${{ needs.audit.outputs.today }}"


def test_the_audit_baseline_is_the_published_tag_and_the_live_log() -> None:
    audit = _load("site.yml")["jobs"]["audit"]
    text = yaml.safe_dump(audit, allow_unicode=True)
    assert "github.event.before" not in text and "HEAD^" not in text and "HEAD~" not in text
    runs = _runs(audit)
    assert "refs/tags/sunlight-published" in runs
    assert 'check --since "$BASE" --site-log' in runs
    assert "/log/publication-log.jsonl" in runs and "curl --fail" in runs
    # the published commit's own tool judges the push
    assert 'git worktree add --detach "$RUNNER_TEMP/published-tool" "$BASE"' in runs
    assert '"$PUBLISHED" check --since "$BASE"' in runs
    env = [s.get("env", {}) for s in audit["steps"]]
    assert {"BASE": "${{ steps.base.outputs.sha }}"} in env
    # no tag (deleted, or nothing published): the live log is still asked for and held to
    live = next(s for s in audit["steps"] if s.get("id") == "live")
    assert "if" not in live and 'elif [ -n "$BASE" ]; then\n  exit 1' in live["run"]
    plain = next(s for s in audit["steps"] if "sunlight check (no published" in s.get("name", ""))
    assert plain["env"] == {"LIVE": "${{ steps.live.outputs.log }}"}
    assert 'sunlight check --site-log "$LIVE"' in plain["run"]


def test_only_the_deploy_job_writes_the_tag_after_deploying() -> None:
    jobs = _load("site.yml")["jobs"]
    writers = [name for name, job in jobs.items() if "git/refs" in _runs(job)]
    assert writers == ["deploy"]
    deploy = jobs["deploy"]
    names = [step.get("id") or step.get("name") for step in deploy["steps"]]
    assert names.index("deployment") < names.index("Record the published commit")
    assert deploy["permissions"]["contents"] == "write"
    assert all(
        job.get("permissions", {}).get("contents") != "write"
        for n, job in jobs.items()
        if n != "deploy"
    )


def test_check_yml_compares_with_the_published_tag() -> None:
    test = _load("check.yml")["jobs"]["test"]
    step = next(s for s in test["steps"] if "check --since" in str(s.get("run", "")))
    assert "refs/tags/sunlight-published" in step["run"]
    assert "github.event.before" not in yaml.safe_dump(step) and "HEAD^" not in step["run"]


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_the_baseline_step_survives_a_force_push(tmp_path: Path) -> None:
    """Run the audit's "last published commit" step as CI would, after a force push."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    _git(tmp_path, "init", "-q", "--bare", str(origin))
    _git(tmp_path, "init", "-q", "-b", "main", str(work))
    _git(work, "remote", "add", "origin", str(origin))
    for n in range(3):
        (work / "f").write_text(str(n))
        _git(work, "add", "f")
        _git(work, "commit", "-qm", f"c{n}")
        if n == 1:
            published = _git(work, "rev-parse", "HEAD")
            _git(work, "tag", "sunlight-published")
    _git(work, "push", "-q", "origin", "main", "--tags")
    _git(work, "reset", "-q", "--hard", "HEAD~2")  # rewrite history past the published commit
    (work / "f").write_text("rewritten")
    _git(work, "commit", "-qam", "forced")
    _git(work, "push", "-q", "--force", "origin", "main")
    clone = tmp_path / "ci"
    _git(
        tmp_path, "clone", "-q", "-b", "main", "--no-tags", str(origin), str(clone)
    )  # what checkout fetches
    step = next(s for s in _load("site.yml")["jobs"]["audit"]["steps"] if s.get("id") == "base")
    out = tmp_path / "output"
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=clone,
        env={**os.environ, "GITHUB_OUTPUT": str(out)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == f"sha={published}\n"
    assert _git(clone, "rev-parse", "HEAD~1") != published  # the push's parent is not it


def test_the_live_log_step_holds_to_a_live_site_even_without_the_tag(tmp_path: Path) -> None:
    """Run the audit's "live site's publication log" step as CI would (curl reads a file://
    site here): a site that serves a log gives it to the check, tag or no tag; a site that
    serves none fails the audit when something was published, and passes when nothing was."""
    step = next(s for s in _load("site.yml")["jobs"]["audit"]["steps"] if s.get("id") == "live")
    site = tmp_path / "site"
    (site / "log").mkdir(parents=True)

    def run(base: str) -> tuple[int, str]:
        output = tmp_path / "output"
        output.write_text("")
        proc = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "SITE_URL": f"file://{site}/",
                "BASE": base,
                "RUNNER_TEMP": str(tmp_path),
                "GITHUB_OUTPUT": str(output),
            },
        )
        return proc.returncode, output.read_text()

    assert run("") == (0, "")  # nothing published: nothing to hold to
    assert run("abc123")[0] != 0  # published, and the log cannot be read: never blind
    (site / "log/publication-log.jsonl").write_text('{"v": 1}\n')
    for base in ("", "abc123"):
        code, output = run(base)
        assert (code, output) == (0, f"log={tmp_path}/live-log.jsonl\n")
        assert (tmp_path / "live-log.jsonl").read_text() == '{"v": 1}\n'
