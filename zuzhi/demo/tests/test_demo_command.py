"""`zuzhi demo` serves the county with a task worker beside the server: without one, the
county's reports (over 10,000 members), large exports and imports stay queued. Stopping the
demo stops both, and the worker is signalled once, so that it finishes the task it runs (a
second signal makes db_worker abort it)."""

import os
import signal
import subprocess

import pytest

from zuzhi.demo.management.commands import demo


class FakeWorker:
    def __init__(self, argv, env):
        self.argv, self.env = argv, env
        self.signals: list[int] = []
        self.waited = False

    def poll(self):
        return None

    def terminate(self):
        self.signals.append(signal.SIGTERM)

    def wait(self, timeout=None):
        self.waited = True
        return 0


@pytest.fixture
def worker(monkeypatch):
    started = []

    def popen(argv, env):
        started.append(FakeWorker(argv, env))
        return started[-1]

    monkeypatch.setattr(demo.subprocess, "Popen", popen)
    yield lambda: started[0]
    assert signal.getsignal(signal.SIGTERM) is not demo._terminated, "SIGTERM handler left"


def server(monkeypatch, behaviour):
    monkeypatch.setattr(demo.subprocess, "run", behaviour)


def test_the_worker_runs_while_the_server_does_and_stops_with_it(worker, monkeypatch):
    def run(argv, env):
        assert worker().argv[-2:] == ["db_worker", "--no-reload"]
        assert worker().signals == [], "the worker must be running while the server serves"
        assert worker().env is env and env["ZUZHI_DEBUG"] == "1"
        assert argv[-3:] == ["runserver", "127.0.0.1:8000", "--noreload"]
        return subprocess.CompletedProcess(argv, 0)

    server(monkeypatch, run)
    assert demo.serve_with_worker({"ZUZHI_DEBUG": "1"}) == 0
    assert worker().signals == [signal.SIGTERM] and worker().waited


def test_ctrl_c_lets_the_worker_finish_its_task(worker, monkeypatch):
    def run(argv, env):
        raise KeyboardInterrupt  # the terminal sent SIGINT to the worker as well

    server(monkeypatch, run)
    assert demo.serve_with_worker({}) == 0
    assert worker().signals == [] and worker().waited


def test_sigterm_to_the_demo_stops_the_server_and_the_worker(worker, monkeypatch):
    def run(argv, env):
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` of the demo would
        raise AssertionError("SIGTERM did not stop the server")

    server(monkeypatch, run)
    assert demo.serve_with_worker({}) == 128 + signal.SIGTERM
    assert worker().signals == [signal.SIGTERM] and worker().waited


def test_a_server_that_cannot_start_fails_the_demo(worker, monkeypatch):
    server(monkeypatch, lambda argv, env: subprocess.CompletedProcess(argv, 1))
    assert demo.serve_with_worker({}) == 1
    assert worker().signals == [signal.SIGTERM]


def test_a_server_killed_by_a_signal_exits_as_the_shell_reports_it(worker, monkeypatch):
    server(monkeypatch, lambda argv, env: subprocess.CompletedProcess(argv, -signal.SIGKILL))
    assert demo.serve_with_worker({}) == 128 + signal.SIGKILL
