"""The protocol's requests, checked: every way a request can be wrong is a RequestError of the right kind."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livemidi.evalserver.protocol import MAX_LINE, RequestError, answer_line, check_token, parse_request


def parse(message) -> object:
    return parse_request(json.dumps(message).encode())


def test_an_eval_request_gets_its_defaults():
    request = parse({"id": 7, "token": "t", "op": "eval", "code": "1"})
    assert (request.id, request.op, request.token) == (7, "eval", "t")
    assert request.fields == {"code": "1", "source": "<editor>", "line": 1}


@pytest.mark.parametrize(("message", "kind", "says"), [
    ({"id": 1, "token": "t", "op": "evil"}, "request", "unknown op 'evil'; the ops are eval, hush"),
    ({"id": 1, "token": "t"}, "request", '"op" must be a string, got null'),
    ({"id": 1, "token": "t", "op": "eval"}, "request", 'eval needs "code": a string'),
    ({"id": 1, "token": "t", "op": "eval", "code": 5}, "request", '"code" must be a string of Python code, got a number (5)'),
    ({"id": 1, "token": "t", "op": "eval", "code": "", "line": 0}, "request", '"line" must be an integer from 1'),
    ({"id": 1, "token": "t", "op": "eval", "code": "", "line": True}, "request", '"line" must be an integer from 1'),
    ({"id": 1, "token": "t", "op": "eval", "code": "", "source": ["x"]}, "request", '"source" must be a string'),
    ({"id": 1, "token": "t", "op": "subscribe", "events": ["midi"]}, "request", '"events" must be a list of event names'),
    ({"id": [1], "token": "t", "op": "status"}, "request", '"id" must be a JSON scalar'),
    ({"id": 1, "token": "t", "op": "status", "protocol": 2}, "protocol", "speaks protocol 1, the request asks for a number (2)"),
    ([1, 2], "request", "must be a JSON object, got a list"),
])  # fmt: skip
def test_a_wrong_request_says_what_was_expected(message, kind, says):
    with pytest.raises(RequestError) as caught:
        parse(message)
    assert caught.value.kind == kind
    assert says in caught.value.message
    if isinstance(message, dict) and isinstance(message.get("id"), int):
        assert caught.value.id == message["id"]  # echoed even in the error


def test_not_json_and_not_utf8_are_request_errors():
    with pytest.raises(RequestError, match="not JSON"):
        parse_request(b'{"op": "status"')
    with pytest.raises(RequestError, match="UTF-8"):
        parse_request(b'{"op": "\xff"}')


def test_the_token_is_kept_even_when_the_rest_is_wrong():
    with pytest.raises(RequestError) as caught:
        parse({"token": "abc", "op": "nope"})
    assert caught.value.token == "abc"


def test_tokens_compare_exactly():
    assert check_token("a" * 32, "a" * 32)
    assert not check_token("a" * 31, "a" * 32)
    assert not check_token(None, "a" * 32)
    assert not check_token("é", "a" * 32)  # not ASCII: no crash, just wrong


def test_an_answer_is_one_line_of_utf8_json():
    line = answer_line({"id": 1, "ok": True, "output": "é\nx"})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {"id": 1, "ok": True, "output": "é\nx"}
    assert MAX_LINE == 1 << 20


@given(st.binary(max_size=200))
def test_any_bytes_are_a_request_or_a_request_error(data):
    try:
        parse_request(data)
    except RequestError as error:
        assert error.kind in ("request", "protocol")


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=10))  # fmt: skip
def test_any_json_is_a_request_or_a_request_error(value):
    try:
        parse_request(json.dumps(value).encode())
    except RequestError as error:
        assert error.kind in ("request", "protocol")
