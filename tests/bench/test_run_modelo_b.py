"""``bench.run``'s model (b) when a section runs alone: read from the quality
section's results, else trained once from Rasa's default configuration (here
the 16-minute ``rasa train`` is replaced by a stand-in that checks its input)."""

import json

from bench import quality, run


def test_fresh_clone_writes_the_default_config_into_a_new_folder_and_trains(tmp_path, monkeypatch):
    seen = {}

    def fake_train(config, out_dir, name, **_kw):
        seen["config"] = config.read_text(encoding="utf-8")
        seen["out_dir"], seen["name"] = out_dir, name
        model = out_dir / f"{name}.tar.gz"
        out_dir.mkdir(parents=True)
        model.write_bytes(b"x")
        return {"model": str(model)}

    monkeypatch.setattr(quality, "train", fake_train)
    work = tmp_path / "work" / "quality"  # nothing of it exists yet
    path = run._model_b(work, tmp_path / "empty-results")
    assert seen["config"] == quality.DEFAULT_CONFIG
    assert seen["out_dir"] == work / "models" and seen["name"] == "default"
    assert path == work / "models" / "default.tar.gz" and path.is_file()


def test_the_quality_sections_model_is_used_when_present(tmp_path, monkeypatch):
    model = tmp_path / "b.tar.gz"
    model.write_bytes(b"x")
    out = tmp_path / "res"
    out.mkdir()
    (out / "quality.json").write_text(json.dumps({"data": {"default": {"model": str(model)}}}))

    def no_training(*_a, **_kw):
        raise AssertionError("(b) should not be trained again")

    monkeypatch.setattr(quality, "train", no_training)
    assert run._model_b(tmp_path / "w", out) == model
