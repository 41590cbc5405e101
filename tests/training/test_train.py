import json
import math
import os
import signal
import socket
import threading
import time

import pytest
import torch
import torch.multiprocessing as mp
from shard_fixtures import random_docs, write_korean_shards, write_real_shards

from kocorpus.training.loader import ShardDataset
from kocorpus.training.train import TrainOptions, latest_checkpoint, lr_at, summary, train

FAST = dict(micro_batch=4, lr=3e-3, log_every=2, eval_every=0, eval_batches=4, progress=False, cpu_threads=1)


@pytest.fixture(scope="module")
def korean_manifest(tmp_path_factory):
    return write_korean_shards(tmp_path_factory.mktemp("ko"))


@pytest.fixture(scope="module")
def small_manifest(tmp_path_factory):
    return write_real_shards(tmp_path_factory.mktemp("small"), random_docs(120, seed=2), seq_len=16, rows_per_shard=20)


def test_tiny_model_loss_falls_on_korean_shards(korean_manifest, tmp_path):
    out = train(korean_manifest, "tiny", 30, str(tmp_path / "run"), **{**FAST, "micro_batch": 8, "eval_every": 10, "log_every": 10})
    loss, val = out["loss"], [v for _, v in out["val_loss"]]
    vocab = json.load(open(korean_manifest))["vocab_size"]
    assert len(loss) == 30 and out["step"] == 30
    assert loss[0] == pytest.approx(math.log(vocab), abs=0.3)  # starts near uniform guessing
    assert val == sorted(val, reverse=True) and len(val) == 3  # validation improves at every check
    assert val[-1] < loss[0] - 1.2
    assert "loss" in summary(out) and out["checkpoint"] == latest_checkpoint(str(tmp_path / "run"))


def test_resume_matches_an_uninterrupted_run_bitwise(small_manifest, tmp_path):
    opts = {**FAST, "ckpt_every": 3, "eval_every": 4}
    whole = train(small_manifest, "tiny", 8, str(tmp_path / "whole"), **opts)
    first = train(small_manifest, "tiny", 8, str(tmp_path / "split"), stop_after=5, **opts)
    assert first["step"] == 5 and len(first["loss"]) == 5
    ckpt = torch.load(latest_checkpoint(str(tmp_path / "split")), weights_only=False)
    assert ckpt["step"] == 5 and ckpt["loader"]["samples_consumed"] == 5 * 4

    # the loader state in the checkpoint points at exactly the batch the uninterrupted run used next
    ds = ShardDataset(small_manifest, batch_size=4, seed=1234, rows=tuple(ckpt["loader"]["rows"]))
    expected = [b for _, b in zip(range(6), ds)][5]
    ds.load_state_dict(ckpt["loader"])
    assert torch.equal(next(iter(ds))["row_ids"], expected["row_ids"])

    rest = train(small_manifest, "tiny", 8, str(tmp_path / "split"), **opts)
    assert rest["loss"] == whole["loss"]  # bitwise: same floats
    assert rest["val_loss"] == whole["val_loss"]
    a = torch.load(whole["checkpoint"], weights_only=False)
    b = torch.load(rest["checkpoint"], weights_only=False)
    for key in a["model"]:
        assert torch.equal(a["model"][key], b["model"][key]), key
    assert a["loader"] == b["loader"]


def test_grad_accumulation_matches_one_larger_batch(small_manifest, tmp_path):
    # val_rows keeps the padded last row out of training, so every micro-batch has equal weight
    one = train(small_manifest, "tiny", 4, str(tmp_path / "one"), **{**FAST, "micro_batch": 8})
    two = train(small_manifest, "tiny", 4, str(tmp_path / "two"), **{**FAST, "micro_batch": 4, "grad_accum": 2})
    assert two["tokens_per_step"] == one["tokens_per_step"]
    assert one["loss"] == pytest.approx(two["loss"], rel=1e-5)


def test_checkpoints_are_pruned_and_complete(small_manifest, tmp_path):
    out = train(small_manifest, "tiny", 7, str(tmp_path / "run"), **{**FAST, "ckpt_every": 2, "keep_checkpoints": 2})
    names = sorted(os.listdir(tmp_path / "run" / "checkpoints"))
    assert names == ["step-0000006.pt", "step-0000007.pt"]
    ckpt = torch.load(out["checkpoint"], weights_only=False)
    assert {"model", "optimizer", "loader", "rng", "loss", "step", "model_config"} <= set(ckpt)
    assert ckpt["optimizer"]["state"]  # AdamW moments are saved
    lines = [json.loads(x) for x in open(tmp_path / "run" / "metrics.jsonl")]
    assert [x["step"] for x in lines if "loss" in x] == [2, 4, 6, 7]


def test_a_stop_signal_checkpoints_and_ends_the_run(small_manifest, tmp_path):
    run = tmp_path / "run"

    def stop_soon():
        deadline = time.time() + 60
        while time.time() < deadline and not (run / "metrics.jsonl").exists():
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGUSR1)

    threading.Thread(target=stop_soon, daemon=True).start()
    out = train(small_manifest, "tiny", 100000, str(run), **FAST)
    assert 1 <= out["step"] < 100000 and len(out["loss"]) == out["step"]
    assert latest_checkpoint(str(run)).endswith(f"step-{out['step']:07d}.pt")


def test_cuda_path_options_on_cpu(small_manifest, tmp_path):
    """What CUDA runs turn on (a compiled graph, fused AdamW, bf16 autocast), here with the document
    mask, tracks the plain eager fp32 run on the CPU."""
    base = {**FAST, "doc_mask": True, "precision": "fp32"}
    eager = train(small_manifest, "tiny", 6, str(tmp_path / "eager"), **base, compile=False, fused_adamw=False)
    fast = train(small_manifest, "tiny", 6, str(tmp_path / "fast"), **base, compile="aot_eager", fused_adamw=True)
    bf16 = train(small_manifest, "tiny", 6, str(tmp_path / "bf16"), **{**base, "precision": "bf16"}, compile="aot_eager", fused_adamw=True)
    assert fast["compile"] == "aot_eager" and fast["fused_adamw"] and bf16["precision"] == "bf16"
    assert fast["loss"] == pytest.approx(eager["loss"], abs=1e-4)
    assert bf16["loss"] == pytest.approx(eager["loss"], abs=0.05)


def test_lr_schedule():
    lrs = [lr_at(s, 100, 1.0, 10, 0.1) for s in range(100)]
    assert lrs[:10] == pytest.approx([(s + 1) / 10 for s in range(10)])  # linear warmup to the peak
    assert lrs[10] == pytest.approx(1.0)
    assert all(a > b for a, b in zip(lrs[10:], lrs[11:]))  # then the cosine only decreases
    assert lrs[-1] == pytest.approx(0.1, abs=1e-3)


def test_unknown_option_is_named():
    with pytest.raises(TypeError, match="micro_bath"):
        TrainOptions.from_dict({"micro_bath": 4})


def test_resuming_another_model_is_refused(small_manifest, tmp_path):
    train(small_manifest, "tiny", 2, str(tmp_path / "run"), **FAST)
    from kocorpus.training import model as model_mod

    original = dict(model_mod.PRESETS["tiny"])
    model_mod.PRESETS["tiny"]["n_layers"] = 3
    try:
        with pytest.raises(ValueError, match="different model"):
            train(small_manifest, "tiny", 4, str(tmp_path / "run"), **FAST)
    finally:
        model_mod.PRESETS["tiny"].update(original)


# -- two ranks (DDP over gloo), two processes on the CPU ----------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank, manifest, out, ports, results):
    torch.set_num_threads(1)
    os.environ.update({"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1"})
    opts = {**FAST, "eval_every": 3, "ckpt_every": 2, "micro_batch": 2, "grad_accum": 2}
    got = {}
    for name, port, extra in (("whole", ports[0], {}), ("first", ports[1], {"stop_after": 3}), ("rest", ports[2], {})):
        os.environ["MASTER_PORT"] = str(port)
        folder = os.path.join(out, "whole" if name == "whole" else "split")
        r = train(manifest, "tiny", 6, folder, **opts, **extra)
        got[name] = {"loss": r["loss"], "val": r["val_loss"], "world": r["world_size"], "loader": r["loader"]}
    results[rank] = got


@pytest.mark.timeout(300)
def test_two_ranks_train_and_resume_under_ddp(small_manifest, tmp_path):
    manager = mp.Manager()
    results = manager.dict()
    ports = [_free_port() for _ in range(3)]
    mp.spawn(_ddp_worker, args=(small_manifest, str(tmp_path), ports, results), nprocs=2, join=True)
    r0, r1 = results[0], results[1]
    assert r0["whole"]["world"] == 2
    assert r0["whole"]["loss"] == r1["whole"]["loss"]  # the logged loss is the mean over ranks
    assert r0["rest"]["loss"] == r0["whole"]["loss"]  # resumed multi-rank run is bitwise the same
    assert r0["rest"]["val"] == r0["whole"]["val"]
    assert r0["whole"]["loader"]["samples_consumed"] == 6 * 4 and r0["whole"]["loader"]["world_size"] == 2
    ckpt = torch.load(latest_checkpoint(str(tmp_path / "whole")), weights_only=False)
    assert ckpt["run"]["world_size"] == 2


@pytest.mark.slow
def test_inductor_compiled_training_on_cpu(small_manifest, tmp_path):
    """``compile=True`` is what CUDA runs use (inductor); on the CPU it generates C++ kernels."""
    torch._dynamo.reset()
    eager = train(small_manifest, "tiny", 4, str(tmp_path / "eager"), **FAST, compile=False)
    compiled = train(small_manifest, "tiny", 4, str(tmp_path / "compiled"), **FAST, compile=True)
    assert compiled["compile"] == "inductor"
    assert compiled["loss"] == pytest.approx(eager["loss"], abs=1e-3)
