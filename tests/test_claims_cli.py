"""``photodose claims``: files, stdin, JSON, bad input, and the --device hook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import photodose.cli.claims_cmd as claims_cmd
from photodose.claims import ClaimContext, RegulatoryRecord
from photodose.cli.app import EXIT_BAD_INPUT, app

runner = CliRunner()
PAGE = (
    "Our LED mask is FDA approved. Dermatologist recommended! "
    "Red light penetrates 4 cm deep. Use it daily for 10 minutes."
)


@pytest.fixture(autouse=True)
def no_hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(claims_cmd, "context_for_device", None)
    yield


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["claims", *args], input=input)
    return result.exit_code, result.output


def test_table_output_from_a_file(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE)
    code, out = run(str(page))
    assert code == 0
    assert "misleading" in out and "unsupported" in out and "contradicted" in out
    assert "3 claim(s) in 4 sentence(s)" in out
    assert "Sources:" in out and "21 CFR Part 814" in out
    # citations are human-readable sources, never internal keys
    assert "cfr814" not in out


def test_json_from_stdin_is_one_object() -> None:
    code, out = run("-", "--json", input=PAGE)
    assert code == 0
    data = json.loads(out)
    assert [c["category"] for c in data["claims"]] == ["regulatory", "endorsement", "depth"]
    assert [c["grade"] for c in data["claims"]] == ["misleading", "unsupported", "contradicted"]
    for c in data["claims"]:
        assert {"text", "sentence", "category", "grade", "reasons", "citations"} <= set(c)
        assert c["reasons"] and c["citations"]
    assert data["context_used"] is False and data["summary"]["misleading"] == 1


def test_empty_input_is_a_clear_message_not_an_error() -> None:
    code, out = run("-", input="")
    assert code == 0 and "empty" in out
    code, out = run("-", "--json", input="  \n")
    assert code == 0 and json.loads(out)["claims"] == []


def test_text_without_claims() -> None:
    code, out = run("-", input="Charge the controller. Wash your face first.")
    assert code == 0 and "No claims found" in out


def test_binary_input_exits_2(tmp_path: Path) -> None:
    blob = tmp_path / "image.png"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out = run(str(blob))
    assert code == EXIT_BAD_INPUT and "binary" in out
    code, out = run(str(blob), "--json")
    error = json.loads(out)["error"]
    assert code == EXIT_BAD_INPUT and "binary" in error["message"] and error["field"] == "FILE"


def test_non_utf8_input_is_decoded_with_a_note(tmp_path: Path) -> None:
    page = tmp_path / "latin1.txt"
    page.write_bytes("Crème mask: FDA approved.".encode("latin-1"))
    code, out = run(str(page), "--json")
    assert code == 0
    data = json.loads(out)
    assert "not valid UTF-8" in data["notes"][0]
    assert data["claims"][0]["grade"] == "misleading"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    code, out = run(str(tmp_path / "nope.txt"))
    assert code == EXIT_BAD_INPUT and "not found" in out
    code, out = run(str(tmp_path))
    assert code == EXIT_BAD_INPUT and "directory" in out


def test_device_without_hook_grades_from_text_and_says_so() -> None:
    code, out = run("-", "--device", "Glow Mask", "--json", input=PAGE)
    assert code == 0
    data = json.loads(out)
    assert data["context_used"] is False
    assert any("device context is unavailable" in n for n in data["notes"])


def test_device_hook_supplies_the_context(monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup(name: str) -> ClaimContext:
        if name != "Glow Mask":
            raise KeyError(f"no device named {name!r} in the catalogue")
        return ClaimContext(
            device_name="Glow Mask",
            regulatory=RegulatoryRecord(
                k_number="K191629", clearance_confirmed=True, source="FDA 510(k) database"
            ),
        )

    monkeypatch.setattr(claims_cmd, "context_for_device", lookup)
    code, out = run("-", "--device", "Glow Mask", "--json", input="It is FDA approved (K191629).")
    assert code == 0
    data = json.loads(out)
    assert data["context_used"] is True and data["device"] == "Glow Mask"
    grades = {c["kind"]: c["grade"] for c in data["claims"]}
    assert grades == {"fda_approved": "contradicted", "k_number": "supported"}

    code, out = run("-", "--device", "Nope", input="FDA approved.")
    assert code == EXIT_BAD_INPUT and "unknown device" in out


def test_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import photodose.claims as claims_pkg
    from photodose.claims import rules as rules_mod

    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    real = rules_mod.load_rules()
    monkeypatch.setattr(
        claims_pkg, "load_rules", lambda: type(real)(**{**real.__dict__, "max_input_bytes": 1000})
    )
    code, out = run(str(big))
    assert code == EXIT_BAD_INPUT and "limit" in out
    # a device reports size 0: the limit holds on the bytes read, not on the reported size
    code, out = run("/dev/zero", "--json")
    assert code == EXIT_BAD_INPUT and "limit" in json.loads(out)["error"]["message"]
    code, out = run("-", "--json", input=b"y" * 5000)
    assert code == EXIT_BAD_INPUT and json.loads(out)["error"]["field"] == "FILE"


def test_non_english_text_says_so_instead_of_no_claims() -> None:
    german = (
        "Die LED-Maske reduziert Falten und strafft die Haut sichtbar in nur vier Wochen. "
        "Klinisch getestet und von Dermatologen empfohlen für alle Hauttypen."
    )
    code, out = run("-", "--json", input=german)
    data = json.loads(out)
    assert code == 0 and data["english"] is False and data["claims"] == []
    assert any("not look like English" in n for n in data["notes"])
    assert not any(n == "no claims found" for n in data["notes"])
    code, out = run("-", input=german)
    assert code == 0 and "not in English" in out and "No claims found" not in out


def test_a_doubtful_claim_is_labelled_in_the_table_and_the_json() -> None:
    """The learned model's doubt (learned.py, ``[use.doubt]``) shows where the claim is read."""
    text = "The trainer swore by it for hamstring strains. Our mask reduces wrinkles."
    code, out = run("-", input=text)
    assert code == 0
    assert "(doubtful)" in out and "Doubtful:" in out
    assert out.count("(doubtful)") == 1  # the wrinkle claim, which the model agrees with, is not
    code, out = run("-", "--json", input=text)
    doc = json.loads(out)
    assert {c["category"]: c["doubtful"] for c in doc["claims"]} == {"endorsement": True, "efficacy": False}
