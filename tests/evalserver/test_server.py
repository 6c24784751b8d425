"""The eval server over real sockets on 127.0.0.1: evals, errors mapped to the editor's lines, hostile clients."""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import threading
import time

import pytest
from evalserver_helpers import Raw, Served, wait_until

from livemidi.errors import EvalPortInUseError, NoSessionError
from livemidi.evalserver import EvalServer, Evaluator, connect, serve_eval
from livemidi.evalserver.protocol import MAX_LINE


@pytest.fixture
def served():
    served = Served()
    yield served
    served.close()


def test_eval_runs_in_the_sessions_namespace_and_answers_output_and_value(served):
    client = served.raw()
    answer = client.request("eval", code="print('hi')\np.bass = note('c2 e2')\nx = 41\nx + 1", source="/me/set.py", line=3)
    assert answer == {"id": 1, "ok": True, "output": "hi\n", "value": "42"}
    assert "bass" in served.session.loops
    other = served.raw()  # another client sees the same namespace
    assert other.request("eval", code="x")["value"] == "41"
    assert other.request("eval", code="y = 1")["value"] is None
    assert [(source, line, outcome.ok) for source, line, outcome in served.evals] == [
        ("/me/set.py", 3, True), ("<editor>", 1, True), ("<editor>", 1, True)]


def test_an_error_points_at_the_editors_file_and_line(served):
    client = served.raw()
    answer = client.request("eval", code="a = 1\nb = a +  nope\n", source="/me/set.py", line=12)
    error = answer["error"]
    assert answer["ok"] is False and error["kind"] == "code"
    assert (error["type"], error["file"], error["line"], error["column"]) == ("NameError", "/me/set.py", 13, 9)
    assert error["message"] == "name 'nope' is not defined"
    assert 'File "/me/set.py", line 13' in error["traceback"] and "b = a +  nope" in error["traceback"]
    assert "livemidi/" not in error["traceback"]  # only the performer's frames


def test_a_syntax_error_points_at_its_line_and_column(served):
    error = served.raw().request("eval", code="x = 1\ny = (1 +\n", source="set.py", line=40)["error"]
    assert (error["type"], error["file"], error["line"]) == ("SyntaxError", "set.py", 41)
    assert error["column"] == 4


def test_an_indented_selection_runs_and_its_columns_are_the_editors(served):
    client = served.raw()
    assert client.request("eval", code="    z = 3\n    z * 2\n", line=5)["value"] == "6"
    error = client.request("eval", code="    q = 1\n    q + nope\n", source="f.py", line=5)["error"]
    assert (error["line"], error["column"]) == (6, 8)


def test_an_error_inside_a_function_from_another_block_shows_both_frames(served):
    client = served.raw()
    client.request("eval", code="def f():\n    return 1 / 0\n", source="lib.py", line=20)
    error = client.request("eval", code="f()", source="set.py", line=3)["error"]
    assert (error["file"], error["line"]) == ("lib.py", 21)  # the deepest frame of the performer's
    assert 'File "set.py", line 3' in error["traceback"] and 'File "lib.py", line 21' in error["traceback"]


def test_a_pattern_refused_by_the_trial_is_a_code_error_and_the_old_one_plays_on(served):
    client = served.raw()
    client.request("eval", code="p.x = note('c4')")
    error = client.request("eval", code="p.x = note('c4').fast(100000)", source="s.py", line=7)["error"]
    assert error["kind"] == "code" and error["type"] == "PatternError"
    assert (error["file"], error["line"]) == ("s.py", 7)
    assert "over budget" in error["message"] and "the old pattern plays on" in error["traceback"]
    assert [loop.state for loop in served.session.status().loops] == ["playing"]


def test_exit_from_an_editor_is_an_error_not_the_end(served):
    answer = served.raw().request("eval", code="exit()")
    assert answer["error"]["type"] == "SystemExit"
    assert served.raw().request("status")["ok"]


def test_status_says_what_plays(served):
    client = served.raw()
    client.request("eval", code="play('bass', note('c2'), channel=3)\ntempo(90)")
    status = client.request("status")
    assert status["ok"] and status["playing"] is False and status["bpm"] == 90.0
    assert status["loops"] == [{"name": "bass", "muted": False, "state": "playing", "channel": 3}]
    assert status["outputs"] == ["out"] and status["protocol"] == 1 and status["session"] == "session"
    assert (status["bar"], status["beat"]) == (1, 1.0)
    assert (status["late"], status["late_machine"], status["stalls"], status["errors"]) == (0, 0, 0, 0)
    served.session.clock.stalls = 2  # the clock was held up twice and skipped music (tests/session/test_stalls.py)
    assert client.request("status")["stalls"] == 2


def test_hush_panic_and_stop_act_on_the_session(served):
    client = served.raw()
    client.request("eval", code="p.a = note('c4')\np.b = note('e4')")
    assert client.request("hush") == {"id": 2, "ok": True, "interrupted": False}
    assert served.session.loops == {}
    assert client.request("panic") == {"id": 3, "ok": True}
    served.session.start()
    assert client.request("stop")["ok"] and not served.session.tempo_map.running


def test_the_server_file_says_where_and_is_private_and_goes_at_close(eval_server_file):
    served = Served()
    try:
        info = json.loads(eval_server_file.read_text())
        assert info == {"protocol": 1, "host": "127.0.0.1", "port": served.server.port, "token": served.server.token,
                        "pid": os.getpid(), "livemidi": info["livemidi"], "session": "session"}
        assert len(info["token"]) == 32 and int(info["token"], 16) >= 0
        assert stat.S_IMODE(os.stat(eval_server_file).st_mode) == 0o600
        with connect() as client:
            assert client.request("status")["ok"]
    finally:
        served.close()
    assert not eval_server_file.exists()


def test_a_newer_sessions_server_file_is_not_removed_by_an_older_one(eval_server_file):
    first = Served()
    second = Served()  # writes the file over: now it is the second's
    first.close()
    assert json.loads(eval_server_file.read_text())["token"] == second.server.token
    second.close()
    assert not eval_server_file.exists()


def test_the_private_directory_is_made_0700_and_a_symlink_is_refused(tmp_path, monkeypatch):
    from livemidi.errors import EvalServerError
    from livemidi.evalserver.discovery import server_file_path, write_server_file

    monkeypatch.delenv("LIVEMIDI_SERVER_FILE")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = server_file_path()
    assert path == tmp_path / "livemidi" / "server.json"
    write_server_file({"port": 1, "token": "t"})
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir()
    (tmp_path / "runtime" / "livemidi").symlink_to(other)
    with pytest.raises(EvalServerError, match="symlink"):
        write_server_file({"port": 1, "token": "t"})
    assert not (other / "server.json").exists()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to make a directory someone else owns")
def test_a_directory_that_is_not_ours_is_refused(tmp_path, monkeypatch):
    from livemidi.errors import EvalServerError
    from livemidi.evalserver.discovery import write_server_file

    monkeypatch.delenv("LIVEMIDI_SERVER_FILE")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "livemidi").mkdir(mode=0o700)
    os.chown(tmp_path / "livemidi", 65534, 65534)
    with pytest.raises(EvalServerError, match="belongs to uid 65534"):
        write_server_file({"port": 1, "token": "t"})


# -- hostile and careless clients --------------------------------------------------------


def test_a_wrong_token_is_refused_and_the_connection_closed(served):
    client = Raw(served.server.port, "0" * 32)
    answer = client.request("eval", code="p.x = note('c4')")
    assert answer["ok"] is False and answer["error"]["kind"] == "auth"
    assert client.closed()
    assert "x" not in served.session.loops
    assert any("refused a client" in text for text in served.notices)


def test_a_missing_token_is_refused(served):
    client = served.raw()
    client.send_bytes(b'{"id": 3, "op": "hush"}\n')
    answer = client.line()
    assert answer["id"] == 3 and answer["error"]["kind"] == "auth" and "no \"token\"" in answer["error"]["message"]
    assert client.closed()


def test_malformed_json_from_a_client_with_the_token_is_answered_and_the_connection_stays(served):
    client = served.raw()
    assert client.request("status")["ok"]
    client.send_bytes(b"{this is not json\n")
    answer = client.line()
    assert answer["id"] is None and answer["error"]["kind"] == "request" and "not JSON" in answer["error"]["message"]
    client.send_bytes(b"[1, 2]\n\xff\xfe\n")
    assert "JSON object" in client.line()["error"]["message"]
    assert "UTF-8" in client.line()["error"]["message"]
    assert client.request("eval", code="1 + 1")["value"] == "2"


def test_garbage_from_a_stranger_gets_one_answer_then_the_door(served):
    client = served.raw()
    client.send_bytes(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert client.line()["error"]["kind"] == "request"
    assert client.closed()


def test_other_protocol_versions_are_refused(served):
    client = served.raw()
    client.send_bytes(json.dumps({"id": 1, "token": served.server.token, "op": "status", "protocol": 2}).encode() + b"\n")
    error = client.line()["error"]
    assert error["kind"] == "protocol" and "speaks protocol 1" in error["message"]


def test_a_line_over_a_mebibyte_is_refused_and_the_connection_closed(served):
    client = served.raw()
    code = "x = '" + "a" * MAX_LINE + "'"
    client.send("eval", code=code)
    answer = client.line()
    assert answer["error"]["kind"] == "request" and "1 MiB" in answer["error"]["message"]
    assert client.closed()
    assert "x" not in served.evaluator_names() if hasattr(served, "evaluator_names") else True
    assert served.raw().request("status")["ok"]  # the server goes on


def test_a_line_of_almost_a_mebibyte_is_fine(served):
    client = served.raw()
    empty = json.dumps({"id": 1, "token": served.server.token, "op": "eval", "code": "x = ''"}).encode() + b"\n"
    code = "x = '" + "a" * (MAX_LINE - len(empty)) + "'"
    line = json.dumps({"id": 1, "token": served.server.token, "op": "eval", "code": code}).encode() + b"\n"
    assert len(line) == MAX_LINE
    client.send_bytes(line)
    assert client.answer(1)["ok"]


def test_a_silent_stranger_is_let_go(served, monkeypatch):
    from livemidi.evalserver import connection

    monkeypatch.setattr(connection, "AUTH_TIMEOUT", 0.3)
    client = served.raw()
    answer = client.line(timeout=5)
    assert answer["error"]["kind"] == "auth" and "within" in answer["error"]["message"]
    assert client.closed()


def test_twenty_clients_at_once(served):
    results: dict[int, dict] = {}
    start = threading.Barrier(20)

    def one(number: int) -> None:
        client = served.raw()
        start.wait()
        results[number] = client.request("eval", code=f"p.loop{number} = note('c4')\n{number} * 2")
        client.close()

    threads = [threading.Thread(target=one, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert {number: answer["value"] for number, answer in results.items()} == {n: str(n * 2) for n in range(20)}
    assert sorted(served.session.loops) == sorted(f"loop{n}" for n in range(20))


def test_a_client_that_vanishes_mid_eval_loses_nothing(served):
    client = served.raw()
    client.send("eval", code="import time\ntime.sleep(0.3)\np.after = note('c4')\nkept = 1")
    wait_until(lambda: served.server.evaluator.busy, what="the block to start")
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    client.close()  # a reset, mid-eval
    wait_until(lambda: not served.server.evaluator.busy, what="the block to end")
    assert "after" in served.session.loops  # the block ran to its end
    other = served.raw()
    assert other.request("eval", code="kept")["value"] == "1"
    wait_until(lambda: served.server.clients == 1, what="the gone client to be forgotten")


def test_an_endless_block_is_interrupted_by_another_client(served):
    looping = served.raw()
    id = looping.send("eval", code="n = 0\nwhile True:\n    n += 1\n", source="set.py", line=5)
    wait_until(lambda: served.server.evaluator.busy, what="the loop to start")
    other = served.raw()
    assert other.request("interrupt") == {"id": 1, "ok": True, "interrupted": True}
    answer = looping.answer(id)
    assert answer["ok"] is False and answer["error"]["kind"] == "interrupted"
    assert "interrupt" in answer["error"]["message"]
    assert other.request("interrupt")["interrupted"] is False  # nothing runs now
    assert looping.request("eval", code="n > 0")["value"] == "True"  # the namespace is intact, the client too


@pytest.mark.parametrize("op", ["hush", "stop"])
def test_hush_and_stop_interrupt_an_endless_block_that_catches_exceptions(served, op):
    looping = served.raw()
    served.session.start()
    code = "p.x = note('c4')\nwhile True:\n    try:\n        pass\n    except Exception:\n        pass\n"
    id = looping.send("eval", code=code)
    queued = looping.send("eval", code="p.never = note('c4')")
    wait_until(lambda: served.server.evaluator.busy, what="the loop to start")
    answer = served.raw().request(op)
    assert answer == {"id": 1, "ok": True, "interrupted": True}
    assert looping.answer(id)["error"]["kind"] == "interrupted"
    assert looping.answer(queued)["error"]["message"] == f"interrupted by {op} before it ran"
    assert "never" not in served.session.loops
    if op == "hush":
        assert served.session.loops == {}
    else:
        assert not served.session.tempo_map.running


def test_answers_come_by_id_and_an_interrupt_on_the_same_connection_overtakes_the_block(served):
    client = served.raw()
    block = client.send("eval", code="while True:\n    pass\n")
    wait_until(lambda: served.server.evaluator.busy, what="the loop to start")
    interrupt = client.send("interrupt")
    first, second = client.line(), client.line()
    assert (first["id"], first["interrupted"]) == (interrupt, True)
    assert second["id"] == block and second["error"]["kind"] == "interrupted"


def test_a_client_that_reads_too_slowly_loses_events_counted_and_never_holds_up_the_session(served):
    from livemidi.evalserver import connection

    client = served.raw()
    assert client.request("subscribe", events=["notice"])["ok"]
    total = connection.MAX_QUEUED_EVENTS * 4
    started = time.monotonic()
    for number in range(total):  # 20 MB: more than the socket buffers hold; the client reads nothing meanwhile
        served.session.on_notice(f"notice {number} " + "x" * 10000)
    assert time.monotonic() - started < 10  # never waited for the client (takes a tenth of a second)
    assert served.raw().request("status")["ok"]  # others are served meanwhile
    got = []
    with pytest.raises(TimeoutError):
        while True:  # what was queued, until nothing more comes
            got.append(client.line(timeout=1))
    served.session.on_notice("last")  # the next event says how many were lost
    last = client.line()
    assert last["text"] == "last"
    dropped = sum(message.get("dropped", 0) for message in [*got, last])
    assert dropped > 0 and len(got) + dropped == total  # each one lost is counted, once
    assert [message["text"].split()[1] for message in got[:3]] == ["0", "1", "2"]


def test_notices_reach_subscribers(served):
    client = served.raw()
    assert client.request("subscribe") == {"id": 1, "ok": True, "events": ["notice", "play"]}
    served.session.on_notice("loop 'x' failed")
    assert client.line() == {"event": "notice", "text": "loop 'x' failed"}
    assert served.notices == ["loop 'x' failed"]  # the session's own listener hears it too


# -- where it listens ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.4", "::", "example.com", ""])
def test_a_host_that_is_not_loopback_is_refused_and_never_bound(host):
    served = Served()
    try:
        with pytest.raises(ValueError, match="loopback"):
            EvalServer(served.session, Evaluator({}), host=host, port=0)
    finally:
        served.close()


def test_a_taken_port_says_by_whom(eval_server_file):
    first = Served()
    try:
        with pytest.raises(EvalPortInUseError) as caught:
            serve_eval(first.session, port=first.server.port, server_file=eval_server_file.with_name("other.json"))
        text = str(caught.value)
        assert f"port {first.server.port} is in use" in text and "--eval-port" in text
        assert json.loads(eval_server_file.read_text())["token"] == first.server.token  # left alone
    finally:
        first.close()


def test_a_taken_port_names_the_session_that_has_it(eval_server_file):
    first = Served()
    try:
        with pytest.raises(EvalPortInUseError, match=rf"another livemidi session \(session, pid {os.getpid()}\)"):
            serve_eval(first.session, port=first.server.port)
    finally:
        first.close()


def test_the_port_comes_from_the_environment(monkeypatch):
    from livemidi.evalserver.server import eval_port

    monkeypatch.setenv("LIVEMIDI_EVAL_PORT", "7400")
    assert eval_port() == 7400 and eval_port(12) == 12
    monkeypatch.delenv("LIVEMIDI_EVAL_PORT")
    assert eval_port() == 7317
    monkeypatch.setenv("LIVEMIDI_EVAL_PORT", "seven")
    with pytest.raises(ValueError, match="LIVEMIDI_EVAL_PORT must be a port number"):
        eval_port()


def test_no_server_file_or_a_stale_one_is_no_session(eval_server_file):
    with pytest.raises(NoSessionError, match="no running livemidi session .*no server file.*livemidi run"):
        connect()
    dead = 2**22 + 12345  # above pid_max on Linux
    eval_server_file.write_text(json.dumps({"protocol": 1, "host": "127.0.0.1", "port": 9, "token": "t", "pid": dead}))
    with pytest.raises(NoSessionError, match="stale"):
        connect()
    with socket.socket() as spare:  # a port nothing listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    eval_server_file.write_text(json.dumps({"protocol": 1, "host": "127.0.0.1", "port": port, "token": "t",
                                            "pid": os.getpid()}))
    with pytest.raises(NoSessionError, match="no livemidi session answers"):
        connect()


def test_closing_the_server_lets_every_client_go():
    served = Served()
    client = served.raw()
    assert client.request("status")["ok"]
    served.close()
    assert client.closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", served.server.port), timeout=1).sendall(b"x\n")
        time.sleep(0.1)
        raise OSError("connected to a closed server")


# -- limits ----------------------------------------------------------------------------------


def test_a_full_server_lets_a_newcomer_take_a_strangers_place_and_else_refuses_it(served):
    served.server.max_clients = 3
    friends = [served.raw() for _ in range(2)]
    for friend in friends:
        assert friend.request("status")["ok"]
    stranger = served.raw()  # connected, never says a word
    wait_until(lambda: served.server.clients == 3, what="three clients")
    newcomer = served.raw()
    assert newcomer.request("status")["ok"]  # took the stranger's place
    assert stranger.closed()
    refused = served.raw()
    answer = refused.line()
    assert answer["error"]["kind"] == "request" and "too many clients (3)" in answer["error"]["message"]
    assert refused.closed()
    assert all(friend.request("status")["ok"] for friend in friends)


def test_a_connection_may_have_32_blocks_waiting(served):
    from livemidi.evalserver.ops import MAX_PENDING_EVALS

    client = served.raw()
    first = client.send("eval", code="while True:\n    pass\n")
    wait_until(lambda: served.server.evaluator.busy, what="the first block to run")
    ids = [client.send("eval", code=f"n{number} = {number}") for number in range(MAX_PENDING_EVALS)]
    refused = client.answer(ids[-1])
    assert refused["error"]["kind"] == "request" and "32 blocks from this connection wait already" in refused["error"]["message"]
    assert served.raw().request("interrupt")["interrupted"]
    assert client.answer(first)["error"]["kind"] == "interrupted"
    assert all(client.answer(id)["ok"] for id in ids[:-1])
    assert client.request("eval", code="n30")["value"] == "30"


def test_a_client_that_never_reads_its_answers_is_let_go(served, monkeypatch):
    from livemidi.evalserver import connection

    monkeypatch.setattr(connection, "MAX_QUEUED_BYTES", 64 * 1024)
    client = served.raw()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    request = (json.dumps({"id": 1, "token": served.server.token, "op": "eval", "code": "'x' * 60000"}) + "\n").encode()
    try:
        for _ in range(200):  # ~12 MB of answers asked for, none read
            client.sock.sendall(request)
    except OSError:
        pass  # let go already
    wait_until(lambda: served.server.clients == 0, what="the client to be let go")
    assert served.raw().request("status")["ok"]


def test_an_interrupt_lands_in_the_performers_code_never_halfway_through_livemidis(served):
    # A block that spends nearly all its time inside livemidi (where() reads the clock under its locks):
    # the interrupt must wait until the block is back in its own lines, so no livemidi call is cut short.
    client = served.raw()
    code = (
        "def spin():\n"
        "    while True:\n"
        "        where()\n"
        "try:\n"
        "    spin()\n"
        "except BaseException as error:\n"
        "    tb = error.__traceback__\n"
        "    while tb.tb_next is not None:\n"
        "        tb = tb.tb_next\n"
        "    code = tb.tb_frame.f_code\n"
        "    started = tb.tb_lineno != code.co_firstlineno\n"
        "    landed.append(code.co_filename if started else 'the entry of a call')\n"
        "    raise\n"
    )
    client.request("eval", code="landed = []")
    for _ in range(20):
        id = client.send("eval", code=code, source="/me/spin.py")
        wait_until(lambda: served.server.evaluator.busy, what="the block to run")
        time.sleep(0.01)
        assert served.raw().request("interrupt")["interrupted"]
        assert client.answer(id)["error"]["kind"] == "interrupted"
    # It lands in the block's own lines (3.10, 3.11), or, where CPython raises it as a function starts (3.12+),
    # at the first instruction of the livemidi call the block was about to make: none of that call has run.
    landed = eval(client.request("eval", code="landed")["value"])
    assert len(landed) == 20 and set(landed) <= {"/me/spin.py", "the entry of a call"}, landed


def test_an_indented_selection_keeps_the_editors_columns_in_its_traceback(served):
    error = served.raw().request("eval", code="    q = 1\n    q + nope\n", source="f.py", line=5)["error"]
    assert '  File "f.py", line 6, in <module>\n    q + nope\n' in error["traceback"]
    if sys.version_info >= (3, 11):  # carets under the error, where the editor has it
        assert "    q + nope\n        ^^^^\n" in error["traceback"]
    assert (error["line"], error["column"]) == (6, 8)
    first = served.raw().request("eval", code="    r = (\n", source="g.py", line=1)["error"]  # line 1: no room for an if
    assert (first["type"], first["line"]) == ("SyntaxError", 1)
    assert first["column"] == 8
