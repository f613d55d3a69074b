"""Every log line carries the correlation id; credentials and personal fields never reach a line."""
import json

import structlog

from services.plumbing import log


def test_lines_carry_the_correlation_id_and_redact_sensitive_keys(capsys) -> None:
    log.configure("debug", json=True)
    log.bind_correlation_id("corr-42")
    structlog.get_logger("t").info("client.updated", token="eyJsecret", phone="+32 470 00 00 00",
                                   details={"email": "x@example.org", "theme": "housing"}, theme="housing")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["correlation_id"] == "corr-42" and line["event"] == "client.updated"
    assert line["token"] == line["phone"] == line["details"]["email"] == "[redacted]"
    assert line["theme"] == line["details"]["theme"] == "housing"
