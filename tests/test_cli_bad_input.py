"""``plansite analyze`` on broken files: one line per bad file, the rest still processed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ezdxf
import pymupdf
import pytest

from plansite.cli.main import main


def _good_dxf(tmp_path: Path) -> Path:
    doc = ezdxf.new()
    blk = doc.blocks.new("WC")
    blk.add_circle((0, 0), 8)
    doc.modelspace().add_blockref("WC", (0, 0), dxfattribs={"layer": "PLUMBING"})
    path = tmp_path / "good.dxf"
    doc.saveas(path)
    return path


def _pdf(path: Path, width: float = 612, height: float = 792, **save) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_text((72, 72), "WC-1")
    doc.save(path, **save)
    doc.close()
    return path


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    text = tmp_path / "notes.pdf"
    text.write_text("this is a shopping list, not a drawing\n")
    whole = _pdf(tmp_path / "whole.pdf").read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(whole[: len(whole) // 3])
    encrypted = _pdf(
        tmp_path / "locked.pdf",
        encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="secret",
    )
    huge = _pdf(tmp_path / "huge.pdf", width=14400, height=14400 * 1.2)
    return {"empty": empty, "text": text, "truncated": truncated,
            "encrypted": encrypted, "huge": huge}


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("empty", 65, "empty"),
        ("text", 66, "not a drawing"),
        ("truncated", 65, "truncated"),
        ("encrypted", 65, "password"),
        ("huge", 67, "limit"),
    ],
)
def test_bad_file_gives_one_line_and_its_exit_code(
    bad_files: dict[str, Path], name: str, code: int, words: str, capsys
) -> None:
    rc = main(["analyze", "--format", "json", str(bad_files[name])])

    err = capsys.readouterr().err.strip().splitlines()
    assert rc == code
    assert len(err) == 1, err
    assert str(bad_files[name]) in err[0] and words in err[0].lower()
    assert "Traceback" not in err[0]


def test_good_file_is_still_processed_beside_bad_ones(
    tmp_path: Path, bad_files: dict[str, Path], capsys
) -> None:
    good = _good_dxf(tmp_path)

    rc = main(["analyze", "--format", "json", str(bad_files["empty"]), str(good),
               str(bad_files["text"])])

    out = json.loads(capsys.readouterr().out)
    assert rc == 66, "the worst failure decides the exit code"
    by_name = {f["source"]: f for f in out["files"]}
    assert set(by_name) == {"good.dxf", "empty.pdf", "notes.pdf"}
    assert by_name["good.dxf"]["counts"] == {"water_closet": 1}
    assert by_name["empty.pdf"]["status"] == "failed"
    assert by_name["notes.pdf"]["errors"][0]["code"] == "unsupported_content"


def test_missing_file_and_folder_are_bad_input(tmp_path: Path, capsys) -> None:
    assert main(["analyze", str(tmp_path / "nope.pdf")]) == 65
    assert main(["analyze", str(tmp_path)]) == 65
    err = capsys.readouterr().err
    assert "file not found" in err and "folder" in err


def test_csv_and_table_formats(tmp_path: Path, capsys) -> None:
    good = _good_dxf(tmp_path)

    assert main(["analyze", "--format", "csv", str(good)]) == 0
    csv_out = capsys.readouterr().out.splitlines()
    assert main(["analyze", str(good)]) == 0
    table = capsys.readouterr().out

    assert csv_out[0] == "file,sheet,sheet_number,fixture_type,count"
    assert csv_out[1].startswith("good.dxf,1,") and csv_out[1].endswith("water_closet,1")
    assert "water_closet" in table and "total" in table


def test_tag_file_extends_the_table(tmp_path: Path, capsys) -> None:
    pdf = tmp_path / "plan.pdf"
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((100, 100), "XQ-1")
    doc.save(pdf)
    tags = tmp_path / "tags.json"
    tags.write_text(json.dumps({"XQ": "floor_sink"}))

    assert main(["analyze", "--format", "json", str(pdf)]) == 0
    before = json.loads(capsys.readouterr().out)["counts"]
    assert main(["analyze", "--format", "json", "--tags", str(tags), str(pdf)]) == 0
    after = json.loads(capsys.readouterr().out)["counts"]

    assert before == {} and after == {"floor_sink": 1}


def test_bad_tag_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    tags = tmp_path / "tags.json"
    tags.write_text(json.dumps({"XQ": "jacuzzi_deluxe"}))

    assert main(["analyze", "--tags", str(tags), str(_good_dxf(tmp_path))]) == 64
    assert "unknown fixture type" in capsys.readouterr().err


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "e.dxf"
    empty.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "plansite.cli.main", "analyze", str(empty)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 65
    assert "Traceback" not in proc.stderr and "empty" in proc.stderr


def test_a_page_that_fails_costs_that_page_not_the_set(tmp_path: Path, capsys) -> None:
    path = tmp_path / "mixed.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "4@WC-1")
    doc.new_page(width=14400, height=14400 * 1.2)
    doc.save(path)

    rc = main(["analyze", "--format", "json", str(path)])

    out = json.loads(capsys.readouterr().out)
    assert rc == 67, "the takeoff is printed, and the exit code still names the fault"
    assert out["status"] == "partial"
    assert out["errors"][0]["sheet"] == 2 and out["errors"][0]["code"] == "limit_reached"
    assert len(out["sheets"]) == 2


def test_a_repaired_file_is_analysed_but_flagged(tmp_path: Path, capsys) -> None:
    doc = pymupdf.open()
    for _ in range(2):
        doc.new_page().insert_text((72, 72), "WC-1")
    data = doc.tobytes()
    damaged = tmp_path / "noxref.pdf"
    damaged.write_bytes(data[: data.rfind(b"xref")])

    rc = main(["analyze", "--format", "json", str(damaged)])

    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert rc == 65
    assert out["status"] == "partial" and out["errors"][0]["code"] == "repaired_file"
    assert "damaged" in captured.err and len(out["sheets"]) == 2


def test_usage_errors_exit_64(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--format", "xml", "x.pdf"])
    assert exc.value.code == 64


def _dxf_with_blocks(tmp_path: Path, name: str, depth: int, self_loop: bool = False) -> Path:
    doc = ezdxf.new()
    doc.blocks.new("B0").add_line((0, 0), (1, 1))
    for level in range(1, depth + 1):
        blk = doc.blocks.new(f"B{level}")
        blk.add_blockref(f"B{level - 1}", (0, 0))
        blk.add_blockref(f"B{level - 1}", (2, 0))
    if self_loop:
        doc.blocks.get("B1").add_blockref("B1", (5, 5))
    doc.modelspace().add_blockref(f"B{depth}", (0, 0))
    path = tmp_path / name
    doc.saveas(path)
    return path


def test_block_bomb_is_refused_quickly(tmp_path: Path, capsys) -> None:
    bomb = _dxf_with_blocks(tmp_path, "bomb.dxf", depth=30)

    assert main(["analyze", str(bomb)]) == 67
    assert "expands to more than" in capsys.readouterr().err


def test_block_that_inserts_itself_is_bad_input(tmp_path: Path, capsys) -> None:
    loop = _dxf_with_blocks(tmp_path, "loop.dxf", depth=2, self_loop=True)

    assert main(["analyze", str(loop)]) == 65
    assert "inserts itself" in capsys.readouterr().err


def test_truncated_dxf_is_flagged(tmp_path: Path, capsys) -> None:
    whole = _good_dxf(tmp_path).read_bytes()
    cut = tmp_path / "cut.dxf"
    cut.write_bytes(whole[: int(len(whole) * 0.8)])

    rc = main(["analyze", "--format", "json", str(cut)])

    assert rc == 65
    assert "damaged" in capsys.readouterr().err


def test_binary_dxf_is_read(tmp_path: Path, capsys) -> None:
    doc = ezdxf.new()
    doc.blocks.new("WC").add_circle((0, 0), 8)
    doc.modelspace().add_blockref("WC", (0, 0), dxfattribs={"layer": "PLUMBING"})
    path = tmp_path / "bin.dxf"
    doc.saveas(path, fmt="bin")

    assert main(["analyze", "--format", "json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"water_closet": 1}


def test_entity_limit_is_checked_before_loading(tmp_path: Path, monkeypatch, capsys) -> None:
    from plansite.parsing import intake

    monkeypatch.setattr(intake, "MAX_DXF_ENTITIES", 50)
    doc = ezdxf.new()
    for i in range(200):
        doc.modelspace().add_line((i, 0), (i, 1))
    path = tmp_path / "many.dxf"
    doc.saveas(path)

    assert main(["analyze", str(path)]) == 67
    assert "more than 50 entities" in capsys.readouterr().err


def test_pdf_form_bomb_is_refused_before_extraction(tmp_path: Path, capsys) -> None:
    src = pymupdf.open()
    src.new_page(width=200, height=200).draw_line((0, 0), (200, 200))
    for _ in range(24):  # 2^24 paints: extraction would take hours
        doc = pymupdf.open()
        page = doc.new_page(width=200, height=200)
        page.show_pdf_page(pymupdf.Rect(0, 0, 100, 200), src, 0)
        page.show_pdf_page(pymupdf.Rect(100, 0, 200, 200), src, 0)
        src = pymupdf.open("pdf", doc.tobytes())
    bomb = tmp_path / "bomb.pdf"
    src.save(bomb)

    assert main(["analyze", str(bomb)]) == 67
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "paints nested drawings" in err[0]


def test_several_files_keep_their_order_in_json(tmp_path: Path, capsys) -> None:
    good = _good_dxf(tmp_path)
    empty = tmp_path / "empty.dxf"
    empty.write_bytes(b"")

    main(["analyze", "--format", "json", str(empty), str(good)])

    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["source"] for f in files] == ["empty.dxf", "good.dxf"]


def test_non_finite_exemplar_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["analyze", "--exemplar", "nan,nan,inf,inf", str(_good_dxf(tmp_path))]) == 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10,20,30,40", ((10, 20, 30, 40), None, None)),
        ("2:10,20,30,40", ((10, 20, 30, 40), 2, None)),
        ("water_closet@3:10,20,30,40", ((10, 20, 30, 40), 3, "water_closet")),
        ("lavatory@10,20,30,40", ((10, 20, 30, 40), None, "lavatory")),
    ],
)
def test_exemplar_forms(text: str, expected) -> None:
    from plansite.cli.analyze import _parse_exemplar

    ex = _parse_exemplar(text)

    assert (ex.bbox, ex.sheet, ex.fixture_type) == expected


@pytest.mark.parametrize("text", ["jacuzzi@1:1,2,3,4", "0:1,2,3,4", "x:1,2,3,4", "1,2,3"])
def test_bad_exemplars_are_usage_errors(tmp_path: Path, text: str, capsys) -> None:
    assert main(["analyze", "--exemplar", text, str(_good_dxf(tmp_path))]) == 64
    assert "--exemplar" in capsys.readouterr().err
