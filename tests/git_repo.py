"""A real git repository for tests that read plans from history (opgen diff --from, a pack's
"what changed since"): `git` runs one command, `new_repo` makes an empty repository with a test
identity and no signing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HAS_GIT = shutil.which("git") is not None


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git in `repo`; `date` sets the author and committer date (ISO), for history by date."""
    env = {**os.environ}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def new_repo(folder: Path) -> Path:
    """An empty repository at `folder` with a plans/ folder (skips the test where git is absent)."""
    if not HAS_GIT:
        pytest.skip("git is not installed")
    (folder / "plans").mkdir(parents=True)
    git(folder, "init", "-q")
    git(folder, "config", "user.email", "test@example.org")
    git(folder, "config", "user.name", "Test")
    git(folder, "config", "commit.gpgsign", "false")
    return folder
