"""Each service serves its metrics, the relay's parked commits among them, in Prometheus' text format."""
import socket
import urllib.request

from services.plumbing import metrics
from services.plumbing.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_metrics_are_served_on_the_grpc_port_plus_the_offset_and_a_taken_port_stops_nothing() -> None:
    port = free_port()
    settings = Settings(grpc_host="127.0.0.1", metrics_port_offset=1)
    metrics.RELAY_PARKED_TOTAL.labels("metrics-test").inc()
    assert metrics.serve(settings, port - 1) == port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    assert 'wegwijs_relay_parked_total{service="metrics-test"} 1.0' in text
    assert metrics.serve(settings, port - 1) is None, "taken: logged, the service runs on"
    assert metrics.serve(Settings(metrics_port_offset=0), port) is None
