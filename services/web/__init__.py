"""The web application of Wegwijs: the front office, the partner inbox (and the policy dashboard and catalogue
pages), server-rendered, calling the gRPC services as the signed-in person. It holds no data of its own and imports
no service: only `services.client`, `services.plumbing` and `contracts`. Where things go: README.md beside this file."""
