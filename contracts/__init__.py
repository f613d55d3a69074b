"""What Wegwijs services share about each other: events, topics, .proto files and taxonomies.

Nothing here imports a service. A partner or a new service needs only this package to speak to Wegwijs.
"""
