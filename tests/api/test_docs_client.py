"""docs/api.md's example client, run as an LA's scheduled job would run it, against the
live test server."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.services import issue_token
from pipeline.models import MonthlyReturn, ReturnStatus
from tests.clock import FIXED_DAY
from tests.factories import authorities

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.time_machine(FIXED_DAY),
]


def script() -> str:
    text = DOC.read_text()
    section = text[text.index("## A Python script") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_documented_script_pushes_a_months_return_and_a_second_run_changes_nothing(
    live_server, north_east, pm, tmp_path
):
    from pipeline import lists

    lists.load()  # an earlier transactional test's flush took the migration's seed with it
    _, secret = issue_token(
        name="Gateshead job", kind="la", local_authority=authorities("Gateshead")[0], days=5, by=pm
    )
    path = tmp_path / "push_return.py"
    path.write_text(script())
    env = {**os.environ, "TRACKER": live_server.url, "TOKEN": secret}

    def run():
        return subprocess.run(
            [sys.executable, str(path), "2024-05"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = run()
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Gateshead, 2024-05: submitted"
    saved = MonthlyReturn.objects.get()
    assert saved.status == ReturnStatus.SUBMITTED
    assert saved.stage_counts.get(stage__code="enquiry").count == 57

    second = run()
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "2024-05 is already submitted: nothing to do"
    assert MonthlyReturn.objects.count() == 1
