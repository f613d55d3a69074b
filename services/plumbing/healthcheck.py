"""`python -m services.plumbing.healthcheck PORT`: exit 0 when the gRPC server on PORT reports SERVING.

Uses the client TLS settings (WEGWIJS_TLS_CA_FILE, client certificate) when set; the probe of deploy scripts and
Kubernetes, since Kubernetes' own gRPC probe cannot speak TLS.
"""
from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.plumbing.settings import Settings


def check(port: int, settings: Settings) -> bool:
    target = f"127.0.0.1:{port}"
    if settings.tls_ca_file is None:
        channel = grpc.insecure_channel(target)
    else:
        cert, key = settings.tls_client_cert_file, settings.tls_client_key_file
        channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(
            settings.tls_ca_file.read_bytes(), key.read_bytes() if key else None, cert.read_bytes() if cert else None))
    try:
        with channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
        return reply.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.RpcError:
        return False


if __name__ == "__main__":
    sys.exit(0 if check(int(sys.argv[1]), Settings()) else 1)
