"""Plans read from git: a plan file at a revision (`opgen diff --from`, `opgen pack`'s "what changed
since"). Trouble (git missing or silent, a file outside git, an unknown revision, a file not in that
revision) is a UserError in one clear sentence; never a traceback.

    repo, rel = repository("plans/x.yaml")
    check_revision(repo, "v1.0")
    result = load(Source("old", "plans/x.yaml", "v1.0", repo, rel))      # a PlanResult
    rev = last_commit_before(repo, rel, "2015-02-01")                    # the file as it was that day
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opgen.diagnostics import UserError

GIT_TIMEOUT = 60


@dataclass(slots=True)
class Source:
    """Where one side comes from: a file, or a path at a git revision."""

    side: str                 # "old" | "new"
    path: str                 # as the user wrote it
    rev: str | None = None    # None: the file (working tree)
    repo: str | None = None   # the repository's top level, for git sources
    relpath: str | None = None

    @property
    def where(self) -> str:
        if self.rev is None:
            return f"{self.path}, working tree" if self.repo else self.path
        return f"{self.relpath or self.path} at {self.rev}"

    @property
    def label(self) -> str:
        return f"{self.side} version ({self.where})"

    @property
    def name(self) -> str:
        """The file name diagnostics are reported against."""
        return f"{self.rev}:{self.relpath}" if self.rev is not None else self.path


def git(repo: str, *args: str) -> subprocess.CompletedProcess:
    """Run git in `repo` (no prompts, C locale, a time limit)."""
    try:
        return subprocess.run(["git", "-C", repo, *args], capture_output=True, timeout=GIT_TIMEOUT,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except FileNotFoundError:
        raise UserError("git is not installed (or not on PATH); --from/--to read plans from git") from None
    except subprocess.TimeoutExpired:
        raise UserError(f"git did not answer within {GIT_TIMEOUT} s in {repo}") from None


def repository(path: str) -> tuple[str, str]:
    """(top level of the repository holding `path`, path relative to it, with '/')."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist")
    result = git(str(folder), "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise UserError(f"{path} is not in a git repository, so --from/--to cannot read it "
                        f"(compare two files instead: opgen diff OLD.yaml NEW.yaml)")
    top = os.path.realpath(result.stdout.decode("utf-8", "replace").strip())
    full = os.path.join(os.path.realpath(folder), target.name)
    rel = os.path.relpath(full, top)
    if rel.startswith(".."):
        raise UserError(f"{path} is outside its git repository {top}")
    return top, rel.replace(os.sep, "/")


def check_revision(repo: str, rev: str) -> None:
    if not rev or rev.startswith("-"):
        raise UserError(f"'{rev}' is not a git revision")
    result = git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if result.returncode != 0:
        raise UserError(f"unknown git revision '{rev}' in {repo} (try a commit, a branch, a tag or HEAD~1)")


def commit_info(repo: str, rev: str) -> tuple[str, str]:
    """(short hash, committer date YYYY-MM-DD) of a revision."""
    result = git(repo, "log", "-1", "--format=%h %cs", "--end-of-options", f"{rev}^{{commit}}", "--")
    fields = result.stdout.decode("utf-8", "replace").split()
    if result.returncode != 0 or len(fields) < 2:
        raise UserError(f"unknown git revision '{rev}' in {repo} (try a commit, a branch, a tag or HEAD~1)")
    return fields[0], fields[1]


def parse_day(text: str) -> dt.date | None:
    """A calendar date written YYYY-MM-DD, else None (then it is read as a revision)."""
    text = str(text).strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def last_commit_before(repo: str, relpath: str, day: dt.date) -> str | None:
    """The full hash of the last commit touching `relpath` at or before the end of `day` (commit
    dates), or None where the file has no commit by then."""
    result = git(repo, "log", "-1", "--format=%H", f"--before={day.isoformat()} 23:59:59", "HEAD", "--", relpath)
    if result.returncode != 0:
        return None  # e.g. a repository with no commit yet
    found = result.stdout.decode("utf-8", "replace").strip()
    return found or None


def load(source: Source):
    """The side's PlanResult. Missing-at-revision becomes a UserError naming the side."""
    from opgen.pipeline import plan_from_bytes, plan_from_file

    if source.rev is None:
        return plan_from_file(source.path)
    result = git(source.repo, "show", f"{source.rev}:{source.relpath}")
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = "the file does not exist in that revision" if any(
            "does not exist" in m or "exists on disk, but not in" in m for m in message) else (
            message[-1].removeprefix("fatal: ") if message else "git show failed")
        raise UserError(f"{source.label}: {reason}")
    return plan_from_bytes(result.stdout, source.name)
