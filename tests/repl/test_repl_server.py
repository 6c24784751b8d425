"""The REPL with its eval server: editors' blocks run in the REPL's namespace, taking turns; the REPL says so."""

from __future__ import annotations

import asyncio
import threading

import pytest
from evalserver_helpers import Raw, wait_until
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from livemidi.clock import VirtualSender
from livemidi.evalserver import serve_eval
from livemidi.repl import repl
from livemidi.session import Session

CTRL_D = "\x04"


class Live:
    """A REPL running in a thread on a pipe input, with an eval server, and what it printed."""

    def __init__(self):
        t = [50.0]
        self.session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])
        self.session.add_output("out")
        self.server = serve_eval(self.session, port=0, kind="repl")
        self.out = ""
        self._pipe_context = create_pipe_input()
        self.pipe = self._pipe_context.__enter__()
        self.status = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        wait_until(lambda: "p.name = pattern" in self.out, what="the banner")

    def _run(self):
        self.status = asyncio.run(repl(self.session, input=self.pipe, output=DummyOutput(), write=self.write,
                                       server=self.server))

    def write(self, text):
        self.out += text

    def type(self, text: str, then: str) -> None:
        self.pipe.send_text(text)
        wait_until(lambda: then in self.out, what=repr(then))

    def close(self):
        if self.thread.is_alive():
            self.pipe.send_text(CTRL_D)
            self.thread.join(10)
        self._pipe_context.__exit__(None, None, None)
        self.server.close()
        self.session.close()


@pytest.fixture
def live():
    live = Live()
    yield live
    live.close()


def test_the_repl_and_an_editor_share_one_namespace_and_the_repl_shows_each_eval(live):
    editor = Raw(live.server.port, live.server.token)
    assert editor.request("eval", code="shared = 5", source="/home/me/set.py", line=4)["ok"]
    wait_until(lambda: "← set.py:4 ok\n" in live.out, what="the eval's line")
    live.type("shared * 2\r", "10\n")
    live.pipe.send_text("from_repl = 7\r")
    wait_until(lambda: "from_repl" in live.server.evaluator.namespace, what="the REPL's block")
    assert editor.request("eval", code="from_repl")["value"] == "7"
    answer = editor.request("eval", code="1 +\n", source="/home/me/set.py", line=9)
    assert answer["error"]["type"] == "SyntaxError"
    wait_until(lambda: "← set.py:9 SyntaxError: invalid syntax\n" in live.out, what="the error's line")
    live.pipe.send_text(CTRL_D)
    live.thread.join(10)
    assert live.status == 0


def test_an_editor_interrupts_a_repl_block_that_loops_and_the_prompt_goes_on(live):
    live.pipe.send_text("while True:\rpass\r\r")
    wait_until(lambda: live.server.evaluator.busy, what="the REPL's loop to run")
    editor = Raw(live.server.port, live.server.token)
    assert editor.request("interrupt")["interrupted"] is True
    wait_until(lambda: "Interrupted (interrupt)\n" in live.out, what="the REPL to say so")
    live.type("'still here'\r", "'still here'\n")


def test_the_session_notices_reach_both_the_repl_and_subscribers(live):
    editor = Raw(live.server.port, live.server.token)
    assert editor.request("subscribe", events=["notice"])["ok"]
    live.session.on_notice("loop 'x' failed")
    assert editor.line() == {"event": "notice", "text": "loop 'x' failed"}
    wait_until(lambda: "! loop 'x' failed\n" in live.out, what="the REPL's notice")


def test_the_banner_says_where_editors_connect(live):
    assert f"Editors: 127.0.0.1:{live.server.port}" in live.out
