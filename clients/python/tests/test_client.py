"""End-to-end tests of mnemo_client against a real ``mnemo serve``.

Run by test/python-client.test.ts (which starts the server on loopback with a temporary
database and sets MNEMO_URL and MNEMO_API_KEY), or by hand::

    MNEMO_URL=http://127.0.0.1:8080 MNEMO_API_KEY=mk_... python3 -m unittest discover -s clients/python/tests
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from mnemo_client import MnemoClient, MnemoError  # noqa: E402


def client() -> MnemoClient:
    url = os.environ.get("MNEMO_URL")
    key = os.environ.get("MNEMO_API_KEY")
    if not url or not key:
        raise RuntimeError("set MNEMO_URL and MNEMO_API_KEY (a running `mnemo serve` and an admin key)")
    return MnemoClient(url, api_key=key, retries=1)


class ClientTest(unittest.TestCase):
    c: MnemoClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.c = client()

    def test_health(self) -> None:
        self.assertEqual(self.c.health(), {"status": "ok"})

    def test_remember_recall_memories_history_update_forget_restore(self) -> None:
        r = self.c.remember("py-alice", [
            {"id": "m1", "role": "user", "speaker": "Alice", "content": "I moved to Lisbon in March 2024.", "occurredAt": "2024-04-02T10:00:00Z"},
            {"id": "m2", "role": "user", "speaker": "Alice", "content": "I'm allergic to peanuts.", "occurredAt": "2024-04-02T10:01:00Z"},
        ])
        self.assertEqual(r["episodes"]["added"], 2)
        again = self.c.remember("py-alice", [{"id": "m1", "role": "user", "speaker": "Alice", "content": "I moved to Lisbon in March 2024."}])
        self.assertEqual(again["episodes"]["duplicates"], 1)

        hit = self.c.recall("py-alice", "Where does Alice live?", budget_tokens=200)
        self.assertIn("Lisbon", hit["context"])
        self.assertLessEqual(hit["contextTokens"], 200)

        page = self.c.memories("py-alice", limit=50)
        self.assertGreater(len(page["items"]), 0)
        peanut = next(m for m in page["items"] if "peanut" in m["text"])
        self.assertEqual(self.c.memory(peanut["id"])["id"], peanut["id"])

        updated = self.c.update(peanut["id"], text="Alice is allergic to peanuts and cashews.", importance=0.9)
        self.assertEqual(updated["text"], "Alice is allergic to peanuts and cashews.")
        ops = [v["op"] for v in self.c.history(peanut["id"])]
        self.assertEqual(ops[-1], "patch")

        self.c.forget(peanut["id"])
        self.assertNotIn("cashews", self.c.recall("py-alice", "What is Alice allergic to?")["context"])
        listed = self.c.memories("py-alice", include_forgotten=True, limit=100)["items"]
        self.assertTrue(any(m["id"] == peanut["id"] and m["forgottenAt"] for m in listed))
        self.c.restore(peanut["id"])
        self.assertIn("cashews", self.c.recall("py-alice", "What is Alice allergic to?")["context"])
        self.assertEqual([v["op"] for v in self.c.history(peanut["id"])][-2:], ["forget", "restore"])

    def test_add_is_idempotent_per_key(self) -> None:
        first = self.c.add("py-bob", "preference", "Bob prefers window seats.", key="seat")
        self.assertTrue(first["created"])
        same = self.c.add("py-bob", "preference", "Bob prefers window seats.", key="seat")
        self.assertFalse(same["changed"])
        changed = self.c.add("py-bob", "preference", "Bob prefers aisle seats.", key="seat")
        self.assertEqual(changed["memory"]["id"], first["memory"]["id"])
        self.assertIn("aisle", self.c.recall("py-bob", "Which seat does Bob prefer?")["context"])

    def test_delete_episode(self) -> None:
        self.c.remember("py-dan", [{"id": "d1", "role": "user", "speaker": "Dan", "content": "My locker code is 4512."}])
        r = self.c.delete_episode("d1", user_id="py-dan")
        self.assertIn("memoriesDeleted", r)
        self.assertNotIn("4512", self.c.recall("py-dan", "What is Dan's locker code?")["context"])

    def test_export_import_erase(self) -> None:
        self.c.remember("py-carol", [{"id": "c1", "role": "user", "speaker": "Carol", "content": "My dog Biscuit is a corgi."}])
        jsonl = self.c.export("py-carol")
        self.assertTrue(jsonl.startswith("{"))
        counts = self.c.import_jsonl(jsonl, user_id="py-carol-copy")
        self.assertGreater(counts["episodes"], 0)
        self.assertIn("Biscuit", self.c.recall("py-carol-copy", "What is Carol's dog called?")["context"])
        erased = self.c.erase("py-carol-copy")
        self.assertGreater(erased["episodes"], 0)

    def test_errors_are_typed(self) -> None:
        with self.assertRaises(MnemoError) as e:
            self.c.memory("mem_nope")
        self.assertEqual(e.exception.code, "NOT_FOUND")
        self.assertEqual(e.exception.status, 404)
        self.assertTrue(e.exception.hint)
        with self.assertRaises(MnemoError) as bad:
            self.c.recall("py-alice", "x", budget_tokens=-5)
        self.assertEqual(bad.exception.code, "INVALID_INPUT")
        with self.assertRaises(MnemoError) as auth:
            MnemoClient(self.c.base_url, api_key="mk_wrong", retries=0).memories("py-alice")
        self.assertEqual(auth.exception.code, "UNAUTHORIZED")
        with self.assertRaises(MnemoError) as net:
            MnemoClient("http://127.0.0.1:9", retries=0, timeout=2).health()
        self.assertEqual(net.exception.code, "NETWORK_ERROR")


if __name__ == "__main__":
    unittest.main()
