"""Check a SabiDamu audit proof: python3 verify_audit_proof.py PROOF.json [VERIFIER_KEY]  (needs `cryptography`)
VERIFIER_KEY: the log's published key (name+keyid+base64); without it the key inside the file is used."""
import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(why):
    sys.exit(f"NOT VERIFIED: {why}")

def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()

with open(sys.argv[1], encoding="utf-8") as proof_file:
    proof = json.load(proof_file)
vkey = sys.argv[2] if len(sys.argv) > 2 else proof["verifier_key"]
name, key_id, key = vkey.split("+", 2)
key = base64.b64decode(key)
if key[0] != 1 or len(key) != 33 or hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() != key_id:
    fail("malformed verifier key")
# 1. The checkpoint is a signed note: text, blank line, "— <name> <base64(key id || signature)>" lines.
note = proof["checkpoint"]
text, _, sigs = note.rpartition("\n\n")
text += "\n"
for line in sigs.splitlines():
    who, _, blob = line.removeprefix("\u2014 ").partition(" ")
    blob = base64.b64decode(blob)
    if who == name and blob[:4].hex() == key_id:
        Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[4:], text.encode())  # raises if forged
        break
else:
    fail("the checkpoint has no signature by this key")
origin, size, root = text.splitlines()[:3]
size, root = int(size), base64.b64decode(root)
# 2. The entry itself: its exact bytes hash to the leaf (SHA-256 of 0x00 || bytes).
leaf = hashlib.sha256(b"\x00" + proof["event"].encode("utf-8")).digest()
if leaf.hex() != proof["leaf_hash"] or proof["tree_size"] != size:
    fail("the entry or the tree size does not match the proof")
# 3. RFC 9162 section 2.1.3.2: walk the inclusion path from the leaf up to the signed root.
fn, sn, r = proof["leaf_index"], size - 1, leaf
if not 0 <= fn < size:
    fail("leaf index outside the tree")
for p in map(bytes.fromhex, proof["inclusion_path"]):
    if sn == 0:
        fail("inclusion path too long")
    if fn & 1 or fn == sn:
        r = node(p, r)
        while not fn & 1 and fn != 0:
            fn, sn = fn >> 1, sn >> 1
    else:
        r = node(r, p)
    fn, sn = fn >> 1, sn >> 1
if sn != 0 or r != root:
    fail("the inclusion path does not lead to the signed root")
event = json.loads(proof["event"])
print(f"VERIFIED: entry {proof['leaf_index']} of {size} in log {origin} (key {name}+{key_id})")
print(f"  {event['at']}  {event['action']}  by {event['actor_role'] or '-'}  "
      f"on {event['object_type']} {event['object_id']}")
