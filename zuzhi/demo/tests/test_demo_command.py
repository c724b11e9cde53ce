"""`zuzhi demo` serves the county with a task worker beside the server: without one, the
county's reports (over 10,000 members), large exports and imports stay queued."""

import subprocess

import pytest

from zuzhi.demo.management.commands import demo


class FakeWorker:
    def __init__(self, argv, env):
        self.argv = argv
        self.env = env
        self.terminated = False

    def terminate(self):
        self.terminated = True

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def processes(monkeypatch):
    started = {}

    def popen(argv, env):
        started["worker"] = FakeWorker(argv, env)
        return started["worker"]

    monkeypatch.setattr(demo.subprocess, "Popen", popen)
    return started


def test_the_worker_runs_while_the_server_does_and_stops_with_it(processes, monkeypatch):
    def run(argv, env):
        worker = processes["worker"]
        assert worker.argv[-2:] == ["db_worker", "--no-reload"]
        assert not worker.terminated, "the worker must be running while the server serves"
        assert worker.env["ZUZHI_DEBUG"] == "1" and env is worker.env
        assert argv[-3:] == ["runserver", "127.0.0.1:8000", "--noreload"]
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(demo.subprocess, "run", run)
    assert demo.serve_with_worker({"ZUZHI_DEBUG": "1"}) == 0
    assert processes["worker"].terminated


def test_ctrl_c_stops_the_worker_too(processes, monkeypatch):
    def run(argv, env):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo.subprocess, "run", run)
    assert demo.serve_with_worker({}) == 0
    assert processes["worker"].terminated


def test_a_server_that_cannot_start_fails_the_demo(processes, monkeypatch):
    monkeypatch.setattr(
        demo.subprocess, "run", lambda argv, env: subprocess.CompletedProcess(argv, 1)
    )
    assert demo.serve_with_worker({}) == 1
    assert processes["worker"].terminated
