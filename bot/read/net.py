"""The reading model as a torch module: the base model's first layers, LoRA adapters, an answer head and a span head."""
from __future__ import annotations

from pathlib import Path

TARGETS = ("query", "key", "value", "output.dense", "intermediate.dense")  # every linear map of a layer


def build(base_dir: str | Path, layers: int, rank: int = 0, alpha: int = 0, dropout: float = 0.0):
    """The reader network over the base model folder, with LoRA adapters when rank > 0.

    Args:
        base_dir: the base model folder (a BERT-type sentence-transformers folder).
        layers: how many of its layers to keep (the first ones).
        rank, alpha, dropout: LoRA settings (rank 0: no adapters, as for export after merging).

    Returns:
        A ReaderNet (torch.nn.Module).
    """
    import torch
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(str(base_dir))
    config.num_hidden_layers = layers
    encoder = AutoModel.from_pretrained(str(base_dir), config=config, add_pooling_layer=False)
    if rank > 0:
        from peft import LoraConfig, get_peft_model

        encoder = get_peft_model(encoder, LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout,
                                                     target_modules=list(TARGETS), bias="none"))

    class ReaderNet(torch.nn.Module):
        """encoder -> (answer logit from the mean of the tokens, start and end logits per token)."""

        def __init__(self) -> None:
            super().__init__()
            hidden = config.hidden_size
            self.encoder = encoder
            self.pool = torch.nn.Linear(hidden, hidden)
            self.answer = torch.nn.Linear(hidden, 1)
            self.span = torch.nn.Linear(hidden, 2)

        def forward(self, ids, mask):
            h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            # Mean over the tokens, as the base model pools: its first token's state barely varies between inputs.
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            logit = self.answer(torch.tanh(self.pool(pooled))).squeeze(-1)
            start, end = self.span(h).unbind(-1)
            return logit, start, end

    return ReaderNet()


def head_state(net) -> dict:
    """Args: net: a ReaderNet. Returns: its heads' weights (name -> tensor)."""
    return {f"{m}.{k}": v.detach().clone() for m in ("pool", "answer", "span")
            for k, v in getattr(net, m).state_dict().items()}


def adapter_state(net) -> dict:
    """Args: net: a ReaderNet with LoRA adapters. Returns: the adapters' weights (name -> tensor), names without
    peft's prefixes: encoder.layer.0.attention.self.query.lora_A, ..."""
    out = {}
    for name, value in net.encoder.state_dict().items():
        if "lora_" in name:
            clean = name.replace("base_model.model.", "").replace(".default", "")
            out[clean] = value.detach().clone()
    return out


def merge(net, adapters: dict, heads: dict, scale: float) -> None:
    """Fold LoRA adapters into a plain (rank 0) ReaderNet's weights and load its heads: W += scale * B @ A.

    Args:
        net: a ReaderNet built with rank 0.
        adapters: adapter_state() of the trained net.
        heads: head_state() of the trained net.
        scale: alpha / rank.
    """
    import torch

    modules = dict(net.encoder.named_modules())
    with torch.no_grad():
        for name in {k.rsplit(".lora_", 1)[0] for k in adapters}:
            a, b = adapters[f"{name}.lora_A.weight"].float(), adapters[f"{name}.lora_B.weight"].float()
            modules[name].weight += scale * (b @ a)
        for m in ("pool", "answer", "span"):
            getattr(net, m).load_state_dict({k.split(".", 1)[1]: v.float() for k, v in heads.items()
                                             if k.startswith(m + ".")})
