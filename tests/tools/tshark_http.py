"""tshark_http.py: the tshark arguments that decode HTTP on given ports.

tshark picks a TCP connection's dissector by port, the lower first, then
the higher: on a proxy's unregistered port (9093) the client's ephemeral
port decides, and one registered to another protocol (34980 EtherCAT,
57000 IRC) hides the request. Every truth and checker that reads HTTP
with tshark names its proxies' and servers' ports (doc/filters.md)."""


def decode_as_http(ports):
    """`-d tcp.port==P,http` for each of ports."""
    return [arg for p in ports for arg in ("-d", f"tcp.port=={p},http")]
