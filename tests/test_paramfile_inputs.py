"""Parameter files are read through a cap from regular files only, with a depth limit (issue 21, item 8).

Real files, a real FIFO and real devices; each read runs in a thread with a deadline, so a read
that would block fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from helpers.params import ParameterError
from helpers.run.paramfile import MAX_DEPTH, MAX_PARAM_FILE_BYTES, load_param_file, read_param_file

ROOT = Path(__file__).resolve().parent.parent


def refusal(path) -> str:
    """The ParameterError message for ``path``, within 20 s."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = read_param_file(path)
        except ParameterError as error:
            outcome["error"] = str(error)
        except BaseException as error:  # noqa: BLE001 - reported as the failure
            outcome["other"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"reading {path} hung"
    assert "error" in outcome, outcome
    return outcome["error"]


def test_330_levels_in_666_bytes_is_one_clear_message(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("abc: " + "[" * 330 + "]" * 330 + "\n", encoding="utf-8")
    assert path.stat().st_size == 666
    message = refusal(path)
    assert message == (
        f"parameter file {path} nests deeper than {MAX_DEPTH} levels at line 1, column 13; "
        "a parameter file is sets of notebooks of parameters (see reports.example.yaml)"
    )


def test_the_example_file_is_within_the_depth_limit():
    assert load_param_file(ROOT / "reports.example.yaml")


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "sets.yaml"
    os.mkfifo(fifo)
    assert refusal(fifo).startswith(f"parameter file {fifo} is a named pipe (FIFO), not a regular file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_by_name(device):
    assert refusal(device).startswith(f"parameter file {device} is a character device, not a regular file")


def test_dev_stdin_is_refused_whatever_stdin_is(tmp_path):
    """/dev/stdin is a pipe, a terminal or /dev/null: never a parameter file."""
    message = refusal("/dev/stdin")
    assert message.startswith("parameter file /dev/stdin is ") and "not a regular file" in message


def test_a_folder_is_refused(tmp_path):
    assert refusal(tmp_path).startswith(f"parameter file {tmp_path} is a folder, not a regular file")


def test_a_file_over_the_cap_is_refused_from_what_was_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: b\n" + b"#" * MAX_PARAM_FILE_BYTES)
    assert f"is larger than {MAX_PARAM_FILE_BYTES:,} bytes" in refusal(path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text("night:\n  01_response_rates:\n    arm: ketamine\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(target)
    assert load_param_file(tmp_path / "link.yaml") == {"night": {"01_response_rates": {"arm": "ketamine"}}}
