"""Hostile Dask schedulers and addresses (issue 21, points 2 and 4), each started for real in the test.

Every address, certificate and cluster below is refused in one line that names the option, exit code 2 (4 when
the run had started and the cluster failed under it), within a bounded wait, with no traceback and nothing
written; a cluster secured with TLS gives the numbers of the local run. The bounds are the subprocess timeouts
(a hang fails the test), never timed assertions.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("cryptography")  # distributed.Security.temporary() makes its certificates with it

from builders import ROOT, run as cli, workbook  # noqa: E402
from optimiser.analysis import futures as F  # noqa: E402
from optimiser.input.data import InputError  # noqa: E402
from optimiser.input.tables import to_input  # noqa: E402
from test_futures import _numbers, one_cost_case, ties_case  # noqa: E402

#: A bound on every command below: a run that waits longer than this hangs, and the test fails.
BOUND = 120


# ---------------------------------------------------------------- servers started by the tests

def free_port() -> int:
    """A port nothing listens on (bound, then closed: a connection to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent():
    """A port that accepts connections and never says a word (a firewall that lets in, a hung service)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield f"tcp://127.0.0.1:{s.getsockname()[1]}"
    s.close()


@pytest.fixture
def web():
    """An HTTP server (what answers on a Dask dashboard's port, 8787)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def banner():
    """A service that speaks first, as SSH does, and is not a scheduler."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    stop = threading.Event()

    def serve():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = s.accept()
            except OSError:
                continue
            conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield f"tcp://127.0.0.1:{s.getsockname()[1]}"
    stop.set()
    s.close()


def dask_process(folder: Path, *args: str) -> subprocess.Popen:
    """``dask ARGS`` (the scheduler or a worker) started as the README starts it, its output in ``folder``; a
    worker can import policymix and these tests."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    log = open(folder / f"dask-{args[0]}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], stdout=log, stderr=subprocess.STDOUT,
                            cwd=folder, env=env)


def listening(port: int, process: subprocess.Popen) -> None:
    """Wait (within the bound) until the scheduler just started listens on ``port``."""
    import time

    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        assert process.poll() is None, "the scheduler stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def pem_files(folder: Path, security, name: str) -> dict[str, Path]:
    """The client's CA, certificate and key of a :class:`distributed.Security` (held in memory) written to files,
    as an IT department hands them out."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"ca": folder / f"{name}-ca.pem", "cert": folder / f"{name}-cert.pem", "key": folder / f"{name}-key.pem"}
    files["ca"].write_text(security.tls_ca_file)
    files["cert"].write_text(security.tls_client_cert)
    files["key"].write_text(security.tls_client_key)
    return files


def tls_options(files: dict[str, Path]) -> list[str]:
    return ["--tls-ca-file", str(files["ca"]), "--tls-cert", str(files["cert"]), "--tls-key", str(files["key"])]


@pytest.fixture(scope="module")
def security():
    return distributed.Security.temporary()


@pytest.fixture(scope="module")
def tls_cluster(security):
    """A cluster only holders of its certificate can use: scheduler and two worker processes on tls://."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, security=security,
                                  protocol="tls://", dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def idle_scheduler():
    """A scheduler no worker ever joins."""
    with distributed.LocalCluster(n_workers=0, processes=True, protocol="tcp://", dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return workbook(tmp_path_factory.mktemp("dask") / "in.xlsx", one_cost_case())


def refused(proc, *needles: str, code: int = 2) -> str:
    """The run ended with ``code`` and said why in one line naming each of ``needles``; no traceback."""
    err = proc.stderr.strip()
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def futures_cli(small: Path, tmp_path: Path, *args: str):
    out = tmp_path / "f.xlsx"
    proc = cli("futures", small, "--samples", "4", "-o", out, *args, timeout=BOUND)
    if proc.returncode != 0:
        assert not out.exists()  # nothing written
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    return proc


# ---------------------------------------------------------------- addresses refused before anything is read

@pytest.mark.parametrize("address", ["garbage", "tcp://", "tcp://127.0.0.1", "tcp://:8786", "tcp://127.0.0.1:port",
                                     "tcp://127.0.0.1:99999", "tcp://127.0.0.1:0", "tcp://127.0.0.1:8786/status",
                                     "tcp://user@127.0.0.1:8786", " "])
def test_a_garbage_address_is_refused_naming_the_option(address):
    with pytest.raises(InputError, match=r"--scheduler .*: expected a Dask scheduler's address, tcp://HOST:PORT or "
                                         r"tls://HOST:PORT"):
        F.cluster(address)


@pytest.mark.parametrize("address", ["http://127.0.0.1:8786", "https://scheduler:8786", "udp://127.0.0.1:8786",
                                     "inproc://127.0.0.1/1/2", "ws://127.0.0.1:8786", "ucx://127.0.0.1:8786"])
def test_a_wrong_scheme_is_refused_naming_the_ones_that_work(address):
    with pytest.raises(InputError, match=r"policymix connects to tcp:// or tls://"):
        F.cluster(address)


@pytest.mark.parametrize("address, host, port", [("tcp://127.0.0.1:8786", "127.0.0.1", 8786),
                                                 ("127.0.0.1:8786", "127.0.0.1", 8786),  # Dask's default scheme
                                                 ("tcp://[::1]:8786", "::1", 8786),
                                                 ("tcp://scheduler.example.org:1234", "scheduler.example.org", 1234)])
def test_a_good_address_is_read_as_dask_reads_it(address, host, port):
    where = F.cluster(address)
    assert (where.host, where.port, where.scheme) == (host, port, "tcp")
    assert where.address == f"tcp://{'[::1]' if host == '::1' else host}:{port}"


def test_the_command_line_refuses_a_garbage_address_at_once(small, tmp_path):
    """It used to print the right line, then hang 20 s in Dask's client and print its traceback."""
    refused(futures_cli(small, tmp_path, "--scheduler", "garbage"), "--scheduler garbage", "tcp://HOST:PORT")


def test_the_command_line_refuses_a_wrong_scheme(small, tmp_path):
    refused(futures_cli(small, tmp_path, "--scheduler", "http://127.0.0.1:8786"), "--scheduler http://127.0.0.1:8786",
            "tcp:// or tls://")


# ---------------------------------------------------------------- nothing there, or not a scheduler

def test_a_port_nothing_listens_on_is_refused_at_once(small, tmp_path):
    port = free_port()
    err = refused(futures_cli(small, tmp_path, "--scheduler", f"tcp://127.0.0.1:{port}"),
                  f"--scheduler tcp://127.0.0.1:{port}", "connection refused")
    assert "dask scheduler" in err


def test_an_unknown_host_is_refused():
    with pytest.raises(InputError, match=r"--scheduler tcp://no-such-host.invalid:8786: cannot connect to a Dask "
                                         r"scheduler there: no such host no-such-host.invalid"):
        with pytest.warns(F.InsecureScheduler):  # not this machine's (it is no one's)
            F.solve_futures(_payload(), _futures(2), scheduler="tcp://no-such-host.invalid:8786")


def test_a_port_that_never_answers_is_given_up_after_the_timeout(small, tmp_path, silent):
    refused(futures_cli(small, tmp_path, "--scheduler", silent, "--scheduler-timeout", "2"), f"--scheduler {silent}",
            "no answer", "2 s", "--scheduler-timeout")


def test_a_web_server_is_not_a_scheduler(small, tmp_path, web):
    """A Dask dashboard's port (8787) waits for a request: nothing a scheduler says first comes."""
    refused(futures_cli(small, tmp_path, "--scheduler", web, "--scheduler-timeout", "2"), f"--scheduler {web}",
            "no answer within 2 s", "8786", "8787 is its dashboard")


def test_a_service_that_speaks_first_is_not_a_scheduler(small, tmp_path, banner):
    refused(futures_cli(small, tmp_path, "--scheduler", banner), f"--scheduler {banner}", "not a Dask scheduler",
            "8786")


def test_a_scheduler_no_worker_joins_is_named_as_such(small, tmp_path, idle_scheduler):
    """It used to end after 30 s with 'cannot write 30: 1' (exit 1), the user never told no worker joined."""
    err = refused(futures_cli(small, tmp_path, "--scheduler", idle_scheduler, "--scheduler-timeout", "3"),
                  f"--scheduler {idle_scheduler}", "no Dask worker joined", "3 s", "--scheduler-timeout")
    assert f"dask worker {idle_scheduler}" in err  # how to start one


def test_the_timeout_must_be_a_number_of_seconds(small, tmp_path):
    for bad in ("0", "-1", "soon", "nan"):
        proc = futures_cli(small, tmp_path, "--scheduler", "tcp://127.0.0.1:8786", "--scheduler-timeout", bad)
        assert proc.returncode == 2 and "--scheduler-timeout" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(InputError, match=r"scheduler_timeout=0: expected a number of seconds > 0"):
        from optimiser.pipeline import run

        run("futures", workbook=str(small), scheduler="tcp://127.0.0.1:8786", scheduler_timeout=0)


def test_options_of_a_cluster_need_a_cluster(small, tmp_path):
    proc = futures_cli(small, tmp_path, "--tls-ca-file", str(small), "--scheduler-timeout", "5")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"error: --tls-ca-file {small}: only with --scheduler",
                                                "error: --scheduler-timeout 5.0: only with --scheduler"]


# ---------------------------------------------------------------- TLS: certificates missing, absent or wrong

def test_tls_without_certificates_is_refused_naming_the_options(small, tmp_path, tls_cluster):
    address = tls_cluster.scheduler_address
    refused(futures_cli(small, tmp_path, "--scheduler", address), f"--scheduler {address}", "--tls-ca-file",
            "--tls-cert", "--tls-key", "distributed.comm.tls")


def test_a_certificate_file_that_does_not_exist_is_named(small, tmp_path, security):
    files = pem_files(tmp_path / "pki", security, "team")
    files["cert"] = tmp_path / "pki" / "missing-cert.pem"
    refused(futures_cli(small, tmp_path, "--scheduler", "tls://127.0.0.1:8786", *tls_options(files)),
            f"--tls-cert {files['cert']}", "no such file")


@pytest.mark.parametrize("which, option", [("ca", "--tls-ca-file"), ("cert", "--tls-cert"), ("key", "--tls-key")])
def test_a_file_that_is_not_a_certificate_is_named(small, tmp_path, security, which, option):
    files = pem_files(tmp_path / "pki", security, "team")
    files[which].write_text("budget 2030: 500\n")
    err = refused(futures_cli(small, tmp_path, "--scheduler", "tls://127.0.0.1:8786", *tls_options(files)),
                  f"{option} {files[which]}")
    assert ("not a PEM private key" if which == "key" else "not a PEM certificate") in err


def test_a_key_that_is_not_the_certificates_is_named(small, tmp_path, security):
    files = pem_files(tmp_path / "pki", security, "team")
    files["key"] = pem_files(tmp_path / "other", distributed.Security.temporary(), "other")["key"]
    refused(futures_cli(small, tmp_path, "--scheduler", "tls://127.0.0.1:8786", *tls_options(files)),
            f"--tls-key {files['key']}", "not the key of --tls-cert")


def test_a_key_behind_a_passphrase_is_refused_without_asking_for_it(small, tmp_path, security):
    from cryptography.hazmat.primitives import serialization

    files = pem_files(tmp_path / "pki", security, "team")
    key = serialization.load_pem_private_key(files["key"].read_bytes(), password=None)
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.BestAvailableEncryption(b"secret")))
    refused(futures_cli(small, tmp_path, "--scheduler", "tls://127.0.0.1:8786", *tls_options(files)),
            f"--tls-key {files['key']}", "passphrase")


def test_certificates_with_a_plain_address_are_refused(small, tmp_path, security):
    files = pem_files(tmp_path / "pki", security, "team")
    refused(futures_cli(small, tmp_path, "--scheduler", "tcp://127.0.0.1:8786", *tls_options(files)),
            "--scheduler tcp://127.0.0.1:8786", "tls://127.0.0.1:8786")


def test_a_client_without_the_clusters_certificate_is_refused(small, tmp_path, tls_cluster):
    other = pem_files(tmp_path / "other", distributed.Security.temporary(), "other")
    address = tls_cluster.scheduler_address
    refused(futures_cli(small, tmp_path, "--scheduler", address, *tls_options(other)), f"--scheduler {address}",
            "certificate", f"--tls-ca-file {other['ca']}")


def test_a_client_whose_certificate_the_cluster_does_not_trust_is_refused(small, tmp_path, security, tls_cluster):
    """The client trusts the scheduler (the right CA) but holds a certificate of its own making: the scheduler
    refuses it."""
    own = pem_files(tmp_path / "own", distributed.Security.temporary(), "own")
    files = {**pem_files(tmp_path / "pki", security, "team"), "cert": own["cert"], "key": own["key"]}
    address = tls_cluster.scheduler_address
    refused(futures_cli(small, tmp_path, "--scheduler", address, *tls_options(files)), f"--scheduler {address}",
            "refused this client's certificate", f"--tls-cert {files['cert']}")


def test_a_plain_client_of_a_tls_scheduler_is_refused(small, tmp_path, tls_cluster):
    plain = tls_cluster.scheduler_address.replace("tls://", "tcp://")
    refused(futures_cli(small, tmp_path, "--scheduler", plain, "--scheduler-timeout", "2"), f"--scheduler {plain}",
            "tls://")


# ---------------------------------------------------------------- the cluster only the team can use

def test_futures_on_a_tls_cluster_give_the_numbers_of_the_local_run(tls_cluster, security):
    """Certificates from Dask's own configuration (distributed.comm.tls.*), worker processes."""
    import dask

    inp = to_input(ties_case())
    local = F.run(inp, samples=24, seed=9, jobs=1)
    config = {"distributed.comm.tls.ca-file": security.tls_ca_file,
              "distributed.comm.tls.client.cert": security.tls_client_cert,
              "distributed.comm.tls.client.key": security.tls_client_key}
    with dask.config.set(config):
        remote = F.run(inp, samples=24, seed=9, scheduler=tls_cluster.scheduler_address, chunk_size=3)
    assert remote.workers.startswith("Dask cluster tls://") and remote.worker_count == 2
    assert _numbers(remote) == _numbers(local)
    assert remote.funded_share == local.funded_share


def test_the_command_line_on_a_tls_cluster_gives_the_local_json(small, tmp_path, tls_cluster, security):
    files = pem_files(tmp_path / "pki", security, "team")
    local, remote = tmp_path / "local.json", tmp_path / "remote.json"
    cli("futures", small, "--samples", "12", "--seed", "3", "--jobs", "1", "--json", local, "-o",
        tmp_path / "local.xlsx", check_code=0, timeout=BOUND)
    proc = cli("futures", small, "--samples", "12", "--seed", "3", "--scheduler", tls_cluster.scheduler_address,
               *tls_options(files), "--json", remote, "-o", tmp_path / "remote.xlsx", check_code=0, timeout=BOUND)
    assert "warning" not in proc.stderr  # encrypted: nothing to warn of
    a, b = json.loads(local.read_text()), json.loads(remote.read_text())
    assert a["p_target_met"] == b["p_target_met"] == 0.5
    assert [(f["status"], f["public_cost_meur"]) for f in a["futures"]] == \
        [(f["status"], f["public_cost_meur"]) for f in b["futures"]]


def readme_cluster_recipe() -> tuple[list[str], list[str]]:
    """The README's recipe of a cluster only the team can use: its openssl commands, then its dask and policymix
    command lines (comments dropped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### A cluster only the team can use"):]
    blocks = re.findall(r"^```\n(.*?)^```", section, re.S | re.M)[:2]
    lines = [[line.split("  #")[0].strip() for line in b.splitlines() if line.strip()] for b in blocks]
    return lines[0], lines[1]


def test_the_readmes_cluster_recipe_runs(small, tmp_path):
    """The README's openssl commands make the certificates; its dask scheduler, dask worker and policymix lines
    (on 127.0.0.1 and a free port, no dashboard) run futures that give the local run's numbers."""
    openssl, commands = readme_cluster_recipe()
    assert [c.split()[0] for c in openssl] == ["openssl"] * 3
    assert [c.split()[:2] for c in commands] == [["dask", "scheduler"], ["dask", "worker"], ["policymix", "futures"]]
    for command in openssl:
        subprocess.run(shlex.split(command), cwd=tmp_path, check=True, capture_output=True, timeout=BOUND)
    port = free_port()
    here = f"127.0.0.1:{port}"
    scheduler = dask_process(tmp_path, *shlex.split(commands[0])[1:], "--host", "tls://127.0.0.1", "--port", str(port),
                             "--no-dashboard")
    listening(port, scheduler)
    worker = dask_process(tmp_path, *[a.replace("HOST:8786", here) for a in shlex.split(commands[1])[1:]],
                          "--no-dashboard")
    try:
        args = [a.replace("HOST:8786", here) for a in shlex.split(commands[2])[2:]]
        assert args[:3] == ["big.xlsx", "--samples", "20000"]
        remote = tmp_path / "remote.json"
        cli("futures", small, "--samples", "12", *args[3:], "--json", remote, "-o", tmp_path / "remote.xlsx",
            check_code=0, cwd=tmp_path, timeout=BOUND)
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait(timeout=BOUND)
    local = F.run(to_input(one_cost_case()), samples=12, seed=1)
    doc = json.loads(remote.read_text())
    assert doc["p_target_met"] == local.p_target_met == 0.5
    assert [f["public_cost_meur"] for f in doc["futures"]] == pytest.approx([r.public_cost_meur for r in local.results])


def test_the_api_takes_the_certificates_as_keywords(small, tmp_path, tls_cluster, security):
    import optimiser

    files = pem_files(tmp_path / "pki", security, "team")
    f = optimiser.futures(small, samples=8, seed=2, scheduler=tls_cluster.scheduler_address,
                          tls_ca_file=files["ca"], tls_cert=files["cert"], tls_key=files["key"])
    assert f.p_target_met == F.run(to_input(one_cost_case()), samples=8, seed=2).p_target_met
    with pytest.raises(InputError, match=r"tls_ca_file='.*other-ca.pem'.*certificate"):
        other = pem_files(tmp_path / "other", distributed.Security.temporary(), "other")
        optimiser.futures(small, samples=8, seed=2, scheduler=tls_cluster.scheduler_address,
                          tls_ca_file=other["ca"], tls_cert=other["cert"], tls_key=other["key"])


def test_an_output_may_not_replace_a_certificate(small, tmp_path, security):
    files = pem_files(tmp_path / "pki", security, "team")
    proc = cli("futures", small, "--samples", "4", "--scheduler", "tls://127.0.0.1:8786", *tls_options(files),
               "--json", files["cert"], "--force", timeout=BOUND)
    assert proc.returncode == 2 and "--json" in proc.stderr
    assert files["cert"].read_text() == security.tls_client_cert


# ---------------------------------------------------------------- an open door is named

@pytest.mark.parametrize("address", ["tcp://192.0.2.10:8786", "tcp://198.51.100.7:8786"])
def test_a_plain_address_off_this_machine_is_warned_of(address):
    text = F.cluster(address).insecure()
    assert text is not None and address in text
    assert "not encrypted" in text and "run code" in text and "tls://" in text


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tcp://localhost:8786", "tcp://[::1]:8786",
                                     "127.0.0.2:8786"])
def test_a_loopback_address_is_not_warned_of(address):
    assert F.cluster(address).insecure() is None


def test_a_tls_address_off_this_machine_is_not_warned_of(tmp_path, security):
    files = pem_files(tmp_path, security, "team")
    assert F.cluster("tls://192.0.2.10:8786", ca_file=files["ca"], cert=files["cert"], key=files["key"]).insecure() \
        is None


def _own_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))  # UDP: nothing is sent
            host = s.getsockname()[0]
        except OSError:
            return None
    return None if host.startswith("127.") else host


def test_a_plain_cluster_on_the_network_runs_with_a_warning_first(small, tmp_path):
    host = _own_address()
    if host is None:
        pytest.skip("this machine has no network address but loopback")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host=host, protocol="tcp://",
                                  dashboard_address=":0") as cluster:
        proc = cli("futures", small, "--samples", "4", "--scheduler", cluster.scheduler_address, "--json", "-",
                   timeout=BOUND)
    assert proc.returncode == 0, proc.stderr
    first = proc.stderr.strip().splitlines()[0]
    assert first.startswith("warning: ") and cluster.scheduler_address in first and "tls://" in first
    assert json.loads(proc.stdout)["samples"] == 4
    with warnings.catch_warnings(record=True) as seen:  # from Python: a warning of its own category
        warnings.simplefilter("always")
        with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host=host,
                                      protocol="tcp://", dashboard_address=":0") as cluster:
            F.run(to_input(one_cost_case()), samples=2, seed=1, scheduler=cluster.scheduler_address)
    assert [w for w in seen if issubclass(w.category, F.InsecureScheduler)]


# ---------------------------------------------------------------- the cluster fails under a running run

def _slow(state, inp, number):
    """A future that takes 0.2 s (the evaluator of a payload, shipped by reference): the cluster can fail mid-run."""
    import time

    time.sleep(0.2)
    return F.FutureResult(number, "target_met", 0.0, 0.0)


def test_every_worker_leaving_a_started_run_stops_it_with_exit_4():
    """The last worker leaves after the first chunk, and the input it held goes with it: ClusterFailure (exit 4)."""
    payload = F.Payload(to_input(one_cost_case()), "wait_and_see", evaluator=_slow)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tcp://",
                                  dashboard_address=":0") as cluster:
        def leave(done, total):
            if done == 1:
                cluster.scale(0)

        with pytest.raises(F.ClusterFailure, match=rf"^--scheduler {cluster.scheduler_address}: every Dask worker left "
                                                   r"the cluster after \d+ of 20 futures, and the input they held went "
                                                   r"with them; nothing was written$"):
            F.solve_futures(payload, _futures(20), scheduler=F.cluster(cluster.scheduler_address, timeout_s=3),
                            chunk_size=1, on_progress=leave)


def test_a_scheduler_stopping_under_a_started_run_stops_it_with_exit_4(tmp_path):
    """`dask scheduler` and `dask worker` as the README starts them; the scheduler is killed after the first chunk."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = dask_process(tmp_path, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    listening(port, scheduler)
    worker = dask_process(tmp_path, "worker", address, "--nthreads", "1", "--no-dashboard")
    try:
        payload = F.Payload(to_input(one_cost_case()), "wait_and_see", evaluator=_slow)

        def stop(done, total):
            if done == 1:
                scheduler.kill()

        with pytest.raises(F.ClusterFailure, match=rf"^--scheduler {address}: the connection to the Dask scheduler was "
                                                   r"lost after \d+ of 20 futures; nothing was written$"):
            F.solve_futures(payload, _futures(20), scheduler=F.cluster(address, timeout_s=20), chunk_size=1,
                            on_progress=stop)
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait(timeout=BOUND)


def test_the_exit_code_of_a_cluster_that_failed_is_4(capsys):
    from optimiser.cli import _failed

    assert _failed(None, F.ClusterFailure("--scheduler tcp://x:1: every Dask worker left")) == 4
    assert capsys.readouterr().err.strip() == "error: --scheduler tcp://x:1: every Dask worker left"


# ---------------------------------------------------------------- helpers of the direct calls

def _payload():
    return F.Payload(to_input(one_cost_case()), "wait_and_see")


def _futures(n):
    inp = to_input(one_cost_case())
    return F.draw(inp, n, 1)


def test_the_command_records_timeout_is_the_runs():
    from optimiser import commands

    assert commands.SCHEDULER_TIMEOUT.default == F.SCHEDULER_TIMEOUT_S
    assert F.cluster("tcp://127.0.0.1:8786").timeout_s == F.SCHEDULER_TIMEOUT_S
