"""Python client for the Mnemo HTTP API (``mnemo serve``), standard library only.

Example::

    from mnemo_client import MnemoClient
    client = MnemoClient("http://127.0.0.1:8080", api_key="mk_...")
    client.remember("alice", [{"role": "user", "content": "I moved to Lisbon."}])
    print(client.recall("alice", "Where does Alice live?")["context"])
"""

from .client import MnemoClient, MnemoError

__all__ = ["MnemoClient", "MnemoError"]
__version__ = "0.1.0"
