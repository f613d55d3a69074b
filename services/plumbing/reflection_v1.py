"""gRPC reflection v1 beside v1alpha: grpcio-reflection 1.85 ships only v1alpha, and newer clients ask v1 first.

The two protocols are the same messages under another package, so v1 is served by the v1alpha servicer through a
handler of its own name, and the v1 file (v1alpha's, renamed) is added to the descriptor pool so reflection can
describe v1 itself.
"""
from __future__ import annotations

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, text_format
from grpc_reflection.v1alpha import reflection, reflection_pb2

SERVICE_NAME = "grpc.reflection.v1.ServerReflection"
_ALPHA = "grpc.reflection.v1alpha"


def _register_file() -> None:
    pool = descriptor_pool.Default()
    try:
        pool.FindServiceByName(SERVICE_NAME)
        return
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    text = text_format.MessageToString(proto).replace(_ALPHA, "grpc.reflection.v1")
    proto = text_format.Parse(text, descriptor_pb2.FileDescriptorProto())
    proto.name = "grpc/reflection/v1/reflection.proto"
    pool.Add(proto)


def enable(service_names: list[str], server: grpc.aio.Server) -> None:
    """Serve reflection under both names, listing both."""
    names = [*service_names, reflection.SERVICE_NAME, SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    _register_file()
    servicer = reflection.aio.ReflectionServicer(names)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, {
        "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
            servicer.ServerReflectionInfo,
            request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
            response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString)}),))
