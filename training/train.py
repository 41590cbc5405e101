"""The training loop: shards in, a decoder trained, resumable checkpoints out.

``train(manifest, preset, steps, out_dir, **options)`` trains for ``steps``
optimizer steps (the schedule's length) and returns the metrics. It runs on
one CPU or GPU, or on many GPUs under ``torchrun`` (DDP; one process per GPU).
On CUDA it uses bf16 autocast, ``torch.compile`` and the fused AdamW by default.

Checkpoints (``<out_dir>/checkpoints/step-NNNNNNN.pt``) hold the model, the
optimizer, the loader's position, the RNG states and the loss history; a run
pointed at a folder with checkpoints resumes from the latest on exactly the
next batch. Logs go to the progress bar, stdout and ``<out_dir>/metrics.jsonl``.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import math
import os
import random
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from .loader import IGNORE_INDEX, ShardDataset, ShardLoader
from .manifest import ShardManifest
from .mfu import mfu, peak_flops
from .model import GPT, ModelConfig


@dataclass
class TrainOptions:
    """Every option of a run; the ``[train]`` table of a config file uses the same keys.

    ``"auto"`` means: on when training on CUDA, off on the CPU. Batch sizes count rows of
    ``seq_len`` tokens per rank; a step consumes ``micro_batch * grad_accum * world_size`` rows.
    """

    micro_batch: int = 8
    grad_accum: int = 1
    lr: float | None = None  # peak; None: the preset's (tiny 3e-3, 124m 6e-4, 350m 3e-4)
    min_lr_ratio: float = 0.1  # the cosine ends at lr * min_lr_ratio
    warmup_steps: int | None = None  # None: 5% of the steps (at least 1)
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float | None = 1.0  # max global grad norm; None disables
    seed: int = 1234  # model init and data order
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    precision: str = "auto"  # auto (bf16 on CUDA, fp32 on CPU) | bf16 | fp32
    compile: bool | str = "auto"  # or a torch.compile backend name (default backend: inductor)
    fused_adamw: bool | str = "auto"
    doc_mask: bool = False  # attend only within each document (from the shards' doc_starts)
    num_workers: int = 0  # DataLoader worker processes per rank; 0: read in-process (threads read ahead)
    window_blocks: int = 8  # row groups shuffled together by the loader
    cache_dir: str | None = None  # local copy of remote shards
    val_manifest: str | None = None  # a separate validation set; else a slice of the training manifest
    val_rows: int | None = None  # rows held out at the manifest's end; None: 1% (16 or 10% on small sets, at most 2048); 0: none
    eval_every: int = 200  # steps between validations (and at the end); 0: only at the end
    eval_batches: int = 20  # micro-batches per validation
    ckpt_every: int = 500  # steps between checkpoints (and at the end); 0: only at the end
    keep_checkpoints: int = 2
    log_every: int = 10
    resume: bool = True  # continue from the latest checkpoint in out_dir
    stop_after: int | None = None  # stop (with a checkpoint) once this step is reached; the schedule still spans `steps`
    progress: bool | str = "auto"  # progress bar (auto: when stderr is a terminal)
    peak_tflops: float | None = None  # device peak for MFU when the device is not in the table
    cpu_threads: int | None = None  # torch intra-op threads on the CPU; None: 1 for tiny (too small to gain), else torch's default

    @classmethod
    def from_dict(cls, options: dict) -> "TrainOptions":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise TypeError(f"unknown training option(s) {unknown}; known: {sorted(names)}")
        return cls(**options)


#: Peak learning rate per preset when none is given (124m and 350m: GPT-3's for those sizes).
DEFAULT_LR = {"tiny": 3e-3, "124m": 6e-4, "350m": 3e-4}


def lr_at(step: int, steps: int, lr: float, warmup: int, min_ratio: float) -> float:
    """Learning rate of optimizer step ``step`` (0-based): linear warmup, then cosine to ``lr * min_ratio``."""
    if step < warmup:
        return lr * (step + 1) / warmup
    span = max(1, steps - warmup)
    progress = min(1.0, (step - warmup) / span)
    return lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def summary(metrics: dict) -> str:
    """One line for people: steps, loss first -> last, validation loss, throughput, MFU."""
    loss = metrics.get("loss") or []
    parts = [f"{metrics.get('preset')} ({metrics.get('params', 0) / 1e6:.1f}M params) step {metrics.get('step')}/{metrics.get('steps')}"]
    if loss:
        parts.append(f"loss {loss[0]:.3f} -> {loss[-1]:.3f}")
    if metrics.get("final_val_loss") is not None:
        parts.append(f"val loss {metrics['final_val_loss']:.3f}")
    if metrics.get("tokens_per_s"):
        parts.append(f"{metrics['tokens_per_s']:,.0f} tok/s")
    if metrics.get("mfu") is not None:
        parts.append(f"MFU {metrics['mfu']:.1%}")
    return ", ".join(parts)


# -- distributed ---------------------------------------------------------
@dataclass
class _Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    owned: bool = False  # this call initialised the process group

    @property
    def main(self) -> bool:
        return self.rank == 0


def _setup_dist(device_opt: str) -> tuple[_Dist, torch.device]:
    """Join the process group under torchrun (env RANK/WORLD_SIZE/LOCAL_RANK) and pick the device."""
    cuda = torch.cuda.is_available() and not device_opt.startswith("cpu")
    info = _Dist()
    if dist.is_available() and dist.is_initialized():
        info.rank, info.world = dist.get_rank(), dist.get_world_size()
        info.local_rank = int(os.environ.get("LOCAL_RANK", info.rank))
    elif int(os.environ.get("WORLD_SIZE", "1")) > 1:
        info.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if cuda:
            torch.cuda.set_device(info.local_rank)
        dist.init_process_group(backend="nccl" if cuda else "gloo")
        info.rank, info.world, info.owned = dist.get_rank(), dist.get_world_size(), True
    if device_opt == "auto":
        device = torch.device(f"cuda:{info.local_rank}" if cuda else "cpu")
    elif device_opt == "cuda":
        device = torch.device(f"cuda:{info.local_rank}")
    else:
        device = torch.device(device_opt)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    return info, device


def _auto(value, on_cuda: bool) -> bool:
    return on_cuda if value == "auto" else bool(value)


# -- checkpoints ---------------------------------------------------------
_CKPT = re.compile(r"step-(\d+)\.pt$")


def latest_checkpoint(out_dir: str) -> str | None:
    """Path of the newest complete checkpoint in ``out_dir``, or None."""
    found = [(int(m.group(1)), p) for p in glob.glob(os.path.join(out_dir, "checkpoints", "step-*.pt")) if (m := _CKPT.search(p))]
    return max(found)[1] if found else None


def _rng_state(device: torch.device) -> dict:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if device.type == "cuda":  # this device's only: touching the others would open a context on each
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, device: torch.device) -> None:
    torch.set_rng_state(state["torch"].cpu())
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda"].cpu(), device)


def _save_checkpoint(out_dir: str, step: int, payload: dict, keep: int) -> str:
    folder = os.path.join(out_dir, "checkpoints")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"step-{step:07d}.pt")
    tmp = path + ".tmp"
    torch.save(payload, tmp)
    os.replace(tmp, path)  # a checkpoint exists only once complete
    old = sorted(p for p in glob.glob(os.path.join(folder, "step-*.pt")) if _CKPT.search(p))
    for p in old[: max(0, len(old) - keep)]:
        os.remove(p)
    return path


# -- the loop ------------------------------------------------------------
def train(manifest: str, preset: str, steps: int, out_dir: str, **options) -> dict:
    """Train ``preset`` on the shards of ``manifest`` for ``steps`` optimizer steps; return metrics.

    The result holds ``loss`` (per-step training loss, all steps since the run began, resumed
    or not), ``val_loss`` (``[step, loss]`` pairs), ``tokens_per_s`` and ``mfu`` (steady state,
    all ranks), ``step`` (last step done), ``checkpoint`` and the run's shape.
    """
    opts = TrainOptions.from_dict(options)
    if steps < 1:
        raise ValueError("steps must be >= 1")
    info, device = _setup_dist(opts.device)
    threads = torch.get_num_threads()
    try:
        return _train(manifest, preset, steps, out_dir, opts, info, device)
    finally:
        torch.set_num_threads(threads)  # the caller's process keeps its own setting
        if info.owned:
            dist.destroy_process_group()


@dataclass
class _Runtime:
    """How this run computes, resolved from the options and the device."""

    device: torch.device
    precision: str  # bf16 | fp32
    compile_backend: str | None  # None: eager
    fused_adamw: bool
    show_progress: bool

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16")


def _runtime(opts: TrainOptions, preset: str, info: _Dist, device: torch.device) -> _Runtime:
    """Resolve the ``auto`` options for ``device`` and set the process's torch threads and TF32."""
    cuda = device.type == "cuda"
    precision = ("bf16" if cuda else "fp32") if opts.precision == "auto" else opts.precision
    if precision not in ("bf16", "fp32"):
        raise ValueError(f"precision {precision!r} is not bf16 or fp32")
    named = isinstance(opts.compile, str) and opts.compile != "auto"
    use_compile = True if named else _auto(opts.compile, cuda)
    threads = opts.cpu_threads or (1 if preset == "tiny" and not cuda else None)
    if threads:
        torch.set_num_threads(threads)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return _Runtime(
        device=device,
        precision=precision,
        compile_backend=(opts.compile if named else "inductor") if use_compile else None,
        fused_adamw=_auto(opts.fused_adamw, cuda),
        show_progress=info.main and (sys.stderr.isatty() if opts.progress == "auto" else bool(opts.progress)),
    )


def _datasets(manifest: ShardManifest, opts: TrainOptions, info: _Dist):
    """``(train dataset, validation dataset or None, train row range)``: a held-out tail or ``val_manifest``."""
    total_rows = manifest.rows
    if opts.val_manifest:
        val_source, val_range, train_range = ShardManifest.load(opts.val_manifest), None, (0, total_rows)
    else:
        if opts.val_rows is None:  # 1%, at least a few rows on small sets, at most 2048
            val_rows = min(2048, max(info.world, total_rows // 100, min(16, total_rows // 10)))
        else:
            val_rows = opts.val_rows
        if val_rows and total_rows - val_rows < info.world:
            raise ValueError(f"{total_rows} rows cannot hold out {val_rows} for validation and still train")
        val_source = manifest if val_rows else None
        val_range = (total_rows - val_rows, total_rows) if val_rows else None
        train_range = (0, total_rows - val_rows)
    common = dict(
        batch_size=opts.micro_batch,
        seed=opts.seed,
        rank=info.rank,
        world_size=info.world,
        segment_ids=opts.doc_mask,
        window_blocks=opts.window_blocks,
        cache_dir=opts.cache_dir,
    )
    train_ds = ShardDataset(manifest, rows=train_range, **common)
    val_ds = ShardDataset(val_source, rows=val_range, loop=False, **common) if val_source is not None else None
    return train_ds, val_ds, train_range


def _optimizer(model: torch.nn.Module, opts: TrainOptions, lr: float, fused: bool) -> torch.optim.Optimizer:
    """AdamW with weight decay on matrices only (not on norms and biases)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": opts.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        betas=(opts.beta1, opts.beta2),
        fused=fused or None,
    )


def _resume(out_dir: str, opts: TrainOptions, cfg: ModelConfig, preset: str, model, optimizer, train_ds, device):
    """``(step, losses, validation losses)`` from the latest checkpoint in ``out_dir`` (zeros without one)."""
    ckpt_path = latest_checkpoint(out_dir)
    if ckpt_path and not opts.resume:
        raise ValueError(f"{out_dir} already holds checkpoints ({ckpt_path}); resume, or train into another folder")
    if not ckpt_path:
        return 0, [], []
    ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
    if ckpt["model_config"] != cfg.to_dict():
        raise ValueError(f"{ckpt_path} holds a different model ({ckpt['model_config']}), not preset {preset!r}")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    train_ds.load_state_dict(ckpt["loader"])
    _set_rng_state(ckpt["rng"], device)
    return ckpt["step"], list(ckpt["loss"]), list(ckpt["val_loss"])


def _evaluate(model, val_ds, opts: TrainOptions, rt: _Runtime, info: _Dist) -> float | None:
    """Mean token loss over up to ``eval_batches`` validation micro-batches, averaged over ranks."""
    if val_ds is None:
        return None
    device = rt.device
    model.eval()
    val_ds.seek(0)
    total = torch.zeros(2, dtype=torch.float64, device=device)
    with torch.no_grad(), rt.autocast():
        for i, batch in enumerate(val_ds):
            if i >= opts.eval_batches:
                break
            tgt = batch["targets"].to(device)
            n = (tgt != IGNORE_INDEX).sum()
            if n == 0:
                continue
            seg = batch["segment_ids"].to(device) if opts.doc_mask else None
            loss = model(batch["input_ids"].to(device), tgt, seg)
            total += torch.stack([loss.double() * n, n.double()])
    model.train()
    if info.world > 1:
        dist.all_reduce(total)
    return float(total[0] / total[1]) if total[1] > 0 else None


def _step(fwd, ddp, batches, opts: TrainOptions, rt: _Runtime) -> torch.Tensor:
    """Forward and backward over ``grad_accum`` micro-batches; the step's loss stays on the device (no sync)."""
    step_loss = torch.zeros((), device=rt.device)
    for micro in range(opts.grad_accum):
        batch = next(batches)
        inp = batch["input_ids"].to(rt.device, non_blocking=True)
        tgt = batch["targets"].to(rt.device, non_blocking=True)
        seg = batch["segment_ids"].to(rt.device, non_blocking=True) if opts.doc_mask else None
        if ddp is not None:  # all-reduce gradients on the last micro-batch only (works under compile)
            ddp.require_backward_grad_sync = micro == opts.grad_accum - 1
        with rt.autocast():
            loss = fwd(inp, tgt, seg) / opts.grad_accum
        loss.backward()
        step_loss += loss.detach()
    return step_loss


def _stop_signals() -> tuple[threading.Event, dict]:
    """An event set by SIGTERM / SIGUSR1 (main thread only), and the handlers it replaced."""
    stop_requested = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGUSR1):
            previous[sig] = signal.signal(sig, lambda *_: stop_requested.set())
    return stop_requested, previous


def _train(manifest_url, preset, steps, out_dir, opts: TrainOptions, info: _Dist, device) -> dict:
    rt = _runtime(opts, preset, info, device)
    os.makedirs(out_dir, exist_ok=True)
    manifest = ShardManifest.load(manifest_url)
    train_ds, val_ds, train_range = _datasets(manifest, opts, info)

    torch.manual_seed(opts.seed)
    cfg = ModelConfig.from_preset(preset, manifest.vocab_size, manifest.seq_len)
    model = GPT(cfg).to(device)
    peak_lr = opts.lr if opts.lr is not None else DEFAULT_LR.get(preset, 3e-4)
    optimizer = _optimizer(model, opts, peak_lr, rt.fused_adamw)
    warmup = max(1, int(0.05 * steps)) if opts.warmup_steps is None else max(1, opts.warmup_steps)
    step, history, val_history = _resume(out_dir, opts, cfg, preset, model, optimizer, train_ds, device)

    ddp = None
    fwd: torch.nn.Module = model
    if info.world > 1:
        from torch.nn.parallel import DistributedDataParallel

        ddp = DistributedDataParallel(model, device_ids=[device.index] if rt.cuda else None)
        fwd = ddp
    if rt.compile_backend:
        fwd = torch.compile(fwd, backend=rt.compile_backend)

    tokens_per_step = opts.micro_batch * opts.grad_accum * cfg.seq_len * info.world
    flops_tok = cfg.flops_per_token()
    peak = opts.peak_tflops * 1e12 if opts.peak_tflops else (peak_flops(torch.cuda.get_device_name(device)) if rt.cuda else None)
    stop_at = min(steps, opts.stop_after) if opts.stop_after else steps
    meta = {
        "preset": preset,
        "params": model.num_params(),
        "rank": info.rank,
        "lr": peak_lr,
        "world_size": info.world,
        "device": torch.cuda.get_device_name(device) if rt.cuda else "cpu",
        "precision": rt.precision,
        "compile": rt.compile_backend or False,
        "fused_adamw": rt.fused_adamw,
        "doc_mask": opts.doc_mask,
        "tokens_per_step": tokens_per_step,
        "flops_per_token": flops_tok,
        "train_rows": train_range[1] - train_range[0],
    }

    def payload():
        return {
            "step": step,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "loader": train_ds.state_dict(),
            "rng": _rng_state(device),
            "loss": history,
            "val_loss": val_history,
            "model_config": cfg.to_dict(),
            "preset": preset,
            "steps": steps,
            "options": dataclasses.asdict(opts),
            "manifest": manifest_url,
            "run": meta,
        }

    stop_requested, previous = _stop_signals()
    metrics_file = open(os.path.join(out_dir, "metrics.jsonl"), "a") if info.main else None

    def log(record: dict) -> None:
        if metrics_file:
            metrics_file.write(json.dumps(record) + "\n")
            metrics_file.flush()

    from tqdm.auto import tqdm

    bar = tqdm(total=stop_at, initial=step, disable=not rt.show_progress, unit="step", dynamic_ncols=True)
    loader = ShardLoader(train_ds, num_workers=opts.num_workers, pin_memory=rt.cuda, device=device)
    batches = iter(loader)
    pending: list[torch.Tensor] = []  # step losses not yet read back (reading forces a device sync)
    window_start, window_steps, steady = time.perf_counter(), 0, []
    first_window = True
    last_ckpt = None
    try:
        model.train()
        while step < stop_at:
            for g in optimizer.param_groups:
                g["lr"] = lr_at(step, steps, peak_lr, warmup, opts.min_lr_ratio)
            step_loss = _step(fwd, ddp, batches, opts, rt)
            if opts.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), opts.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            window_steps += 1
            pending.append(step_loss)
            bar.update(1)

            last = step == stop_at
            log_step = step % opts.log_every == 0 or last
            stopping = stop_requested.is_set()
            if info.world > 1:  # ranks agree on stopping, at log steps only (it costs a sync)
                stopping = False
                if log_step:
                    flag = torch.tensor([1.0 if stop_requested.is_set() else 0.0], device=device)
                    dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                    stopping = bool(flag.item())
            checkpoint = (opts.ckpt_every and step % opts.ckpt_every == 0) or last or stopping
            if log_step or checkpoint:  # a checkpoint holds every loss so far
                losses = torch.stack(pending)
                if info.world > 1:  # the mean over ranks (gloo has no AVG)
                    dist.all_reduce(losses)
                    losses /= info.world
                values = losses.tolist()
                if any(not math.isfinite(v) for v in values):
                    raise RuntimeError(f"training loss is not finite at step {step}: {values[-1]}")
                history.extend(values)
                pending = []
                elapsed = time.perf_counter() - window_start
                tps = window_steps * tokens_per_step / elapsed
                if not first_window:
                    steady.append((window_steps * tokens_per_step, elapsed))
                first_window = False
                util = mfu(tps, flops_tok, peak, info.world)
                record = {"step": step, "loss": values[-1], "lr": optimizer.param_groups[0]["lr"], "tokens_per_s": tps, "mfu": util}
                log(record)
                bar.set_postfix(loss=f"{values[-1]:.4f}", tok_s=f"{tps:,.0f}", mfu="n/a" if util is None else f"{util:.1%}")
                if info.main and not rt.show_progress:
                    mfu_txt = "n/a" if util is None else f"{util:.1%}"
                    print(f"step {step}/{steps} loss {values[-1]:.4f} lr {record['lr']:.2e} tok/s {tps:,.0f} mfu {mfu_txt}", flush=True)
                window_start, window_steps = time.perf_counter(), 0

            if (opts.eval_every and step % opts.eval_every == 0) or step == steps:
                v = _evaluate(model, val_ds, opts, rt, info)
                if v is not None:
                    val_history.append([step, v])
                    log({"step": step, "val_loss": v})
                    if info.main:
                        bar.write(f"step {step}: validation loss {v:.4f}")
                window_start = time.perf_counter()  # validation time is not training throughput

            if checkpoint:
                if info.main:
                    last_ckpt = _save_checkpoint(out_dir, step, payload(), opts.keep_checkpoints)
                if info.world > 1:
                    dist.barrier()
                window_start = time.perf_counter()
            if stopping:
                if info.main:
                    bar.write(f"stopped at step {step} on request; checkpoint saved")
                break
    finally:
        bar.close()
        if metrics_file:
            metrics_file.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    tokens, seconds = (sum(x) for x in zip(*steady)) if steady else (0, 0.0)
    tps = tokens / seconds if seconds else None
    result = {
        **meta,
        "step": step,
        "steps": steps,
        "loss": history,
        "losses": history,  # the same list, under the name the demo reads
        "final_loss": history[-1] if history else None,
        "val_loss": val_history,
        "final_val_loss": val_history[-1][1] if val_history else None,
        "tokens_per_s": tps,
        "mfu": mfu(tps, flops_tok, peak, info.world) if tps else None,
        "tokens_seen": step * tokens_per_step,
        "loader": train_ds.state_dict(),
        "checkpoint": last_ckpt or latest_checkpoint(out_dir),
        "out_dir": out_dir,
    }
    if info.main:
        with open(os.path.join(out_dir, "metrics.json"), "w") as f:
            json.dump({k: v for k, v in result.items() if k not in ("loader", "losses")}, f, indent=1)
    return result
