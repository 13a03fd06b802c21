"""Signed notes, checkpoints and cosignatures against the reference examples of the specs."""

from __future__ import annotations

import pytest

from builder.audit import checkpoint as cp

# golang.org/x/mod/sumdb/note's documented example key and note; Ed25519 is deterministic
# (RFC 8032), so signing the same text must give the same bytes.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
# c2sp.org/signed-note's example
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_keys_and_signatures_match_the_reference_example_byte_for_byte() -> None:
    signer = cp.parse_signer(GO_SKEY)
    assert signer.verifier().text() == GO_VKEY
    assert signer.text() == GO_SKEY
    note = cp.Note(GO_TEXT, (cp.sign_text(GO_TEXT, signer),))
    assert note.render() == GO_NOTE
    assert cp.verify_signature(cp.parse_note(GO_NOTE), cp.parse_verifier(GO_VKEY))


def test_the_spec_example_verifies_and_a_changed_text_does_not() -> None:
    verifier = cp.parse_verifier(SPEC_VKEY)
    assert cp.verify_signature(cp.parse_note(SPEC_NOTE), verifier)
    forged = SPEC_NOTE.replace("example message", "exemplary message")
    assert not cp.verify_signature(cp.parse_note(forged), verifier)
    # a signature by an unknown key is ignored, not an error
    assert not cp.verify_signature(cp.parse_note(SPEC_NOTE), cp.parse_verifier(GO_VKEY))


@pytest.mark.parametrize(
    "bad",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),
        GO_VKEY[:-2],
        GO_VKEY.replace("PeterNeumann", "Peter Neumann"),
        "PeterNeumann+c74f20a3",
    ],
)
def test_mangled_verifier_keys_are_refused(bad: str) -> None:
    with pytest.raises(cp.NoteError):
        cp.parse_verifier(bad)


def test_checkpoint_text_is_the_three_lines_of_tlog_checkpoint() -> None:
    c = cp.Checkpoint("example.com/behind-the-sofa", 20852163, bytes(range(32)))
    assert c.text() == (
        "example.com/behind-the-sofa\n20852163\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    )
    assert cp.parse_checkpoint(c.text()) == c
    for bad in ("a\n012\nAAAA\n", "a\n1\n", "a\n1\nAAAA\n", "a\n1\n" + c.text().split("\n")[2]):
        with pytest.raises(cp.NoteError):
            cp.parse_checkpoint(bad)


def test_signed_checkpoint_opens_only_with_the_logs_key() -> None:
    log_key = cp.generate("sunlight.example/county")
    other = cp.generate("sunlight.example/county")
    c = cp.Checkpoint(log_key.name, 7, bytes(32))
    text = cp.sign_checkpoint(c, log_key).render()
    assert text.startswith(c.text() + "\n— sunlight.example/county ")
    assert cp.open_checkpoint(text, log_key.verifier())[0] == c
    with pytest.raises(cp.NoteError):
        cp.open_checkpoint(text, other.verifier())
    with pytest.raises(cp.NoteError):
        cp.open_checkpoint(text.replace("\n7\n", "\n8\n"), log_key.verifier())


def test_cosignature_signs_the_v1_message_with_a_timestamp() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cp.cosigned_message(text, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )
    witness = cp.generate("witness.example/zhen", cp.COSIGNATURE_V1)
    sig = cp.cosign(text, witness, 1679315147)
    assert len(sig.data) == 8 + 64 and sig.data[:8] == (1679315147).to_bytes(8, "big")
    # the key ID of a cosigner is computed with type 0x04
    assert sig.id == cp.key_id(witness.name, 0x04, witness.verifier().public)
    note = cp.Note(text, (sig,))
    assert cp.verify_cosignature(cp.parse_note(note.render()), witness.verifier()) == 1679315147
    other = cp.Note(text.replace("20852163", "20852164"), (sig,))
    assert cp.verify_cosignature(other, witness.verifier()) is None
    with pytest.raises(cp.NoteError):
        cp.cosign(text, cp.generate("log"), 1)
