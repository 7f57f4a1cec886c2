"""The spacetime DiT of src/Workbench/Models in PyTorch: the benchmark's counterpart and a parity check.

Same computation, op for op, and the same parameter names as SpacetimeDiT.cs, so a state dict that
Workbench saved (`model.Save(path)`, safetensors) loads here with strict=True and gives the same outputs.
Covered: the Joint and Factorized attention layouts, 3D RoPE, adaLN-Zero, QK-norm, no text or
cross-attention text from the small text encoder. Also the rectified-flow training step of DiTTraining
(AdamW, gradient clipping) and the Euler sampler with classifier-free guidance.

Runs on PyTorch 1.13 (attention as the composite softmax(QKᵀ·s)V, as Workbench's bridge does on
libtorch < 2.1) and 2.x (fused scaled_dot_product_attention).
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
FUSED_ATTENTION = _VERSION >= (2, 1)
PAD_ID = 0  # CaptionTokenizer.PadId


@dataclass
class DiTConfig:
    """DiTConfig.cs, as `workbench bench` writes it (snake_case, layouts and options by name)."""
    in_channels: int = 4
    patch: tuple = (1, 2, 2)
    hidden: int = 128
    depth: int = 4
    heads: int = 4
    mlp_ratio: float = 4.0
    attention: str = "joint"
    positions: str = "rope3d"
    rope_theta: float = 10000.0
    modulation: str = "adaln_zero"
    qk_norm: bool = False
    text: str = "cross_attention"
    vocab_size: int = 512
    max_text_length: int = 32
    text_hidden: int = 64
    text_depth: int = 2
    text_heads: int = 2
    timestep_scale: float = 1000.0
    frame_conditioning: bool = False

    def __post_init__(self):
        self.patch = tuple(self.patch)
        unsupported = []
        if self.attention not in ("joint", "factorized"):
            unsupported.append(f"attention {self.attention}")
        if self.positions != "rope3d":
            unsupported.append(f"positions {self.positions}")
        if self.modulation != "adaln_zero":
            unsupported.append(f"modulation {self.modulation}")
        if self.text not in ("none", "cross_attention"):
            unsupported.append(f"text {self.text}")
        if self.frame_conditioning:
            unsupported.append("frame conditioning")
        if unsupported:
            raise NotImplementedError("the PyTorch reference covers joint/factorized attention, RoPE, adaLN-Zero and "
                                      "cross-attention text; not " + ", ".join(unsupported))

    @property
    def head_dim(self):
        return self.hidden // self.heads


def attention(q, k, v, mask=None):
    """softmax(q kᵀ/√E + mask) v, exactly as the bridge's wb_sdpa computes it."""
    scale = 1.0 / math.sqrt(q.size(-1))
    if FUSED_ATTENTION:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    return torch.matmul(torch.softmax(scores, -1), v)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        rms = x.square().mean(-1, keepdim=True).add(self.eps).rsqrt()
        return x * rms * self.weight


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class MultiheadAttention(nn.Module):
    """NN/Layers/Attention.cs: qkv, optional q_norm/k_norm, proj."""

    def __init__(self, dim, heads, qk_norm=False):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        if qk_norm:
            self.q_norm, self.k_norm = RMSNorm(self.head_dim), RMSNorm(self.head_dim)
        else:
            self.q_norm = self.k_norm = None
        self.proj = nn.Linear(dim, dim)

    def project(self, x):
        b, n, _ = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)  # (3, B, heads, N, hd)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        return q, k, v

    def output(self, attended):
        b, _, n, _ = attended.shape
        return self.proj(attended.transpose(1, 2).reshape(b, n, self.heads * self.head_dim))

    def forward(self, x, mask=None):
        q, k, v = self.project(x)
        return self.output(attention(q, k, v, mask))


# ---- 3D RoPE (Rope3d.cs) ----

def rope_split(dim):
    t = 2 * (dim // 8)
    h = 2 * ((dim - t) // 4)
    return t, h, dim - t - h


def rope_tables(head_dim, theta, grid, dtype, device):
    """cos, sin (N, head_dim/2) for a (T, H, W) token grid; angles in float64 as Workbench computes them."""
    T, H, W = grid
    axes = torch.meshgrid(*(torch.arange(n, dtype=torch.float64, device=device) for n in grid), indexing="ij")
    positions = torch.stack([a.reshape(-1) for a in axes], 1)                  # (N, 3) in (t, h, w) order
    parts = []
    for axis, d in enumerate(rope_split(head_dim)):
        i = torch.arange(0, d // 2, 1, dtype=torch.float64, device=device)
        frequencies = torch.pow(theta, i * (-2.0 / d))
        parts.append(positions[:, axis].unsqueeze(1) * frequencies.unsqueeze(0))
    angles = torch.cat(parts, 1)                                                # (N, head_dim/2)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def apply_rope(x, cos, sin):
    half = cos.size(-1)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)


# ---- attention layouts (Models/Attention/*.cs) ----

def project(attn, x, rope):
    q, k, v = attn.project(x)
    return apply_rope(q, *rope), apply_rope(k, *rope), v


def to_frames(x, g):
    b, heads, _, hd = x.shape
    return x.reshape(b, heads, g[0], g[1] * g[2], hd).permute(0, 2, 1, 3, 4).reshape(b * g[0], heads, g[1] * g[2], hd)


def from_frames(x, g):
    _, heads, _, hd = x.shape
    b = x.size(0) // g[0]
    return x.reshape(b, g[0], heads, g[1] * g[2], hd).permute(0, 2, 1, 3, 4).reshape(b, heads, g[0] * g[1] * g[2], hd)


def to_tracks(x, g):
    b, heads, _, hd = x.shape
    s = g[1] * g[2]
    return x.reshape(b, heads, g[0], s, hd).permute(0, 3, 1, 2, 4).reshape(b * s, heads, g[0], hd)


def from_tracks(x, g):
    _, heads, _, hd = x.shape
    s = g[1] * g[2]
    b = x.size(0) // s
    return x.reshape(b, s, heads, g[0], hd).permute(0, 2, 3, 1, 4).reshape(b, heads, g[0] * s, hd)


class JointAttention(nn.Module):
    def __init__(self, dim, heads, qk_norm):
        super().__init__()
        self.attn = MultiheadAttention(dim, heads, qk_norm)

    def forward(self, x, grid, rope):
        q, k, v = project(self.attn, x, rope)
        return self.attn.output(attention(q, k, v))


class FactorizedAttention(nn.Module):
    """Spatial attention within frames, then temporal along positions: s = spatial(u), out = s + temporal(u + s)."""

    def __init__(self, dim, heads, qk_norm):
        super().__init__()
        self.attn = MultiheadAttention(dim, heads, qk_norm)
        self.attn_temp = MultiheadAttention(dim, heads, qk_norm)

    def forward(self, x, grid, rope):
        q, k, v = project(self.attn, x, rope)
        spatial = self.attn.output(from_frames(attention(to_frames(q, grid), to_frames(k, grid), to_frames(v, grid)), grid))
        qt, kt, vt = project(self.attn_temp, x + spatial, rope)
        temporal = self.attn_temp.output(from_tracks(attention(to_tracks(qt, grid), to_tracks(kt, grid), to_tracks(vt, grid)), grid))
        return spatial + temporal


# ---- the model (SpacetimeDiT.cs) ----

def modulate(x, m, shift, scale):
    return x * (m[:, scale:scale + 1] + 1) + m[:, shift:shift + 1]


class TimestepEmbedder(nn.Module):
    FREQUENCY_DIM = 256

    def __init__(self, dim):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(self.FREQUENCY_DIM, dim), nn.SiLU(), nn.Linear(dim, dim))

    @staticmethod
    def sinusoidal(t):
        half = TimestepEmbedder.FREQUENCY_DIM // 2
        freqs = (torch.arange(0, half, 1, dtype=torch.float32, device=t.device) * (-math.log(10000) / half)).exp()
        args = t.to(torch.float32).unsqueeze(1) * freqs.unsqueeze(0)             # (B, 128)
        return torch.cat([args.cos(), args.sin()], 1)                            # (B, 256)

    def forward(self, t):
        f = self.sinusoidal(t).to(self.mlp[0].weight.dtype)
        return self.mlp[2](F.silu(self.mlp[0](f)))


class CrossAttention(nn.Module):
    def __init__(self, dim, text_dim, heads, qk_norm):
        super().__init__()
        self.heads = heads
        self.q_linear = nn.Linear(dim, dim)
        self.kv_linear = nn.Linear(text_dim, 2 * dim)
        if qk_norm:
            self.q_norm, self.k_norm = RMSNorm(dim // heads), RMSNorm(dim // heads)
        else:
            self.q_norm = self.k_norm = None
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, y):
        b, n, d = x.shape
        l, hd = y.size(1), d // self.heads
        q = self.q_linear(x).reshape(b, n, self.heads, hd).transpose(1, 2)          # (B, heads, N, hd)
        kv = self.kv_linear(y).reshape(b, l, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        return self.proj(attention(q, k, v).transpose(1, 2).reshape(b, n, d))


class DiTBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c.hidden
        self.norm1 = nn.LayerNorm(d, eps=1e-6, elementwise_affine=False)
        layout = JointAttention(d, c.heads, c.qk_norm) if c.attention == "joint" else FactorizedAttention(d, c.heads, c.qk_norm)
        # The layout's attention modules sit directly in the block (keys blocks.i.attn.*, blocks.i.attn_temp.*).
        self.attn = layout.attn
        if c.attention == "factorized":
            self.attn_temp = layout.attn_temp
        self._layout = [layout]  # not a submodule: its parameters are registered above
        self.cross_attn = CrossAttention(d, c.text_hidden, c.heads, c.qk_norm) if c.text == "cross_attention" else None
        self.norm2 = nn.LayerNorm(d, eps=1e-6, elementwise_affine=False)
        self.mlp = Mlp(d, int(d * c.mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))

    def forward(self, x, y, c, grid, rope):
        b, _, d = x.shape
        m = self.adaLN_modulation(c).reshape(b, 6, d)                              # shift, scale, gate (msa); (mlp)
        x = x + m[:, 2:3] * self._layout[0](modulate(self.norm1(x), m, 0, 1), grid, rope)
        if self.cross_attn is not None:
            x = x + self.cross_attn(x, y)
        return x + m[:, 5:6] * self.mlp(modulate(self.norm2(x), m, 3, 4))


class FinalLayer(nn.Module):
    def __init__(self, dim, out_features):
        super().__init__()
        self.norm_final = nn.LayerNorm(dim, eps=1e-6, elementwise_affine=False)
        self.linear = nn.Linear(dim, out_features)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, x, temb):
        b, _, d = x.shape
        m = self.adaLN_modulation(temb).reshape(b, 2, d)
        return self.linear(self.norm_final(x) * (m[:, 1:2] + 1) + m[:, 0:1])


class TextEncoderBlock(nn.Module):
    def __init__(self, width, heads, mlp_hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-5)
        self.attn = MultiheadAttention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = Mlp(width, mlp_hidden)

    def forward(self, x, key_mask):
        x = x + self.attn(self.norm1(x), key_mask)
        return x + self.mlp(self.norm2(x))


class TextEncoder(nn.Module):
    def __init__(self, vocab, width, depth, heads, max_length, mlp_ratio):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.positional_embedding = nn.Parameter(torch.randn(max_length, width) * 0.01)
        self.blocks = nn.ModuleList(TextEncoderBlock(width, heads, int(width * mlp_ratio)) for _ in range(depth))
        self.final_norm = nn.LayerNorm(width, eps=1e-5)

    def forward(self, tokens):
        b, l = tokens.shape
        # Padding is never read, except position 0 (a row of only padding must still attend somewhere).
        first = torch.arange(l, device=tokens.device).eq(0).unsqueeze(0)
        key_mask = (tokens.ne(PAD_ID) | first).reshape(b, 1, 1, l)
        x = self.token_embedding(tokens) + self.positional_embedding[:l]
        for block in self.blocks:
            x = block(x, key_mask)
        return self.final_norm(x)


class SpacetimeDiT(nn.Module):
    def __init__(self, c: DiTConfig):
        super().__init__()
        self.config = c
        d, p = c.hidden, c.patch
        self.x_embedder = nn.Module()
        self.x_embedder.proj = nn.Conv3d(c.in_channels, d, p, stride=p)
        self.t_embedder = TimestepEmbedder(d)
        if c.text != "none":
            self.text_encoder = TextEncoder(c.vocab_size, c.text_hidden, c.text_depth, c.text_heads, c.max_text_length, c.mlp_ratio)
            self.y_embedding = nn.Parameter(torch.randn(c.max_text_length, c.text_hidden) / math.sqrt(c.text_hidden))
        else:
            self.text_encoder = self.y_embedding = None
        self.blocks = nn.ModuleList(DiTBlock(c) for _ in range(c.depth))
        self.final_layer = FinalLayer(d, p[0] * p[1] * p[2] * c.in_channels)

    def null_text(self, length):
        return self.y_embedding[:length].unsqueeze(0)                              # (1, L, D_text)

    def text_stream(self, b, text=None, text_embedding=None, drop_text=None):
        if self.text_encoder is None:
            return None
        if text_embedding is not None:
            y = batched(text_embedding, b)
        elif text is not None:
            y = self.text_encoder(batched(text, b))
        else:
            y = self.null_text(self.config.max_text_length).expand(b, -1, -1)
        if drop_text is not None:
            y = torch.where(drop_text.to(torch.bool).reshape(b, 1, 1), self.null_text(y.size(1)), y)
        return y                                                                   # (B, L, D_text)

    def forward(self, x, t, text=None, text_embedding=None, drop_text=None):
        c = self.config
        b, _, T, H, W = x.shape
        grid = (T // c.patch[0], H // c.patch[1], W // c.patch[2])
        tokens = self.x_embedder.proj(x).flatten(2).transpose(1, 2)                # (B, N, D)
        rope = rope_tables(c.head_dim, c.rope_theta, grid, x.dtype, x.device)
        t = t.reshape(1).expand(b).to(torch.float32) if t.numel() == 1 else t.to(torch.float32)
        temb = self.t_embedder(t * c.timestep_scale)                               # (B, D)
        y = self.text_stream(b, text, text_embedding, drop_text)
        for block in self.blocks:
            tokens = block(tokens, y, temb, grid, rope)
        patches = self.final_layer(tokens, temb)                                   # (B, N, p·C)
        pt, ph, pw = c.patch
        return (patches.reshape(b, *grid, pt, ph, pw, c.in_channels)
                .permute(0, 7, 1, 4, 2, 5, 3, 6).reshape(b, c.in_channels, T, H, W))


def batched(c, b):
    """A conditioning tensor with batch b: as is, broadcast from 1, or repeated when its batch divides b."""
    if c.size(0) == b:
        return c
    if c.size(0) == 1:
        return c.expand(b, *([-1] * (c.dim() - 1)))
    return c.repeat(b // c.size(0), *([1] * (c.dim() - 1)))


# ---- training and sampling (Training/DiTTraining.cs, Diffusion/*.cs) ----

def no_decay(name):
    """AdamW.DefaultNoDecay: biases and norm scales are not decayed."""
    return name.endswith(".bias") or name == "bias" or "norm" in name


def make_optimizer(model, lr=1e-3, weight_decay=0.0, **kwargs):
    """DiTTraining's AdamW: β = (0.9, 0.99), ε = 1e-8, decay on weights only."""
    named = list(model.named_parameters())
    groups = [{"params": [p for n, p in named if not no_decay(n)], "weight_decay": weight_decay},
              {"params": [p for n, p in named if no_decay(n)], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99), eps=1e-8, **kwargs)


def sample_times(batch, device, generator=None):
    """RectifiedFlowConfig's default: logit-normal(0, 1), no shift."""
    return torch.randn(batch, device=device, generator=generator).sigmoid()


def flow_loss(model, x0, t, noise, text=None, drop_text=None, amp_dtype=None):
    """Rectified flow: x_t = (1 − t)·x0 + t·ε, target ε − x0, MSE; forward under autocast when amp_dtype is set."""
    shape = (x0.size(0),) + (1,) * (x0.dim() - 1)
    a, s = (1 - t).reshape(shape), t.reshape(shape)
    with torch.autocast(x0.device.type, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
        prediction = model(a * x0 + s * noise, t, text=text, drop_text=drop_text)
        return F.mse_loss(prediction, noise - x0)


def train_step(model, optimizer, x0, t, noise, text=None, drop_text=None, amp_dtype=None, clip=1.0):
    """One step as DiTTraining takes it: loss, backward, clip the gradient norm to `clip`, AdamW, clear the grads."""
    loss = flow_loss(model, x0, t, noise, text, drop_text, amp_dtype)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss, norm


@torch.no_grad()
def euler_sample(model, noise, text_embedding, null_embedding, steps, guidance=4.0, amp_dtype=None):
    """EulerSampler with ClassifierFreeGuidance: x_s = x_t + (s − t)·v, v = v_c + (v_c − v_u)·(g − 1), times 1 → 0."""
    x, b = noise, noise.size(0)
    times = [1 - i / steps for i in range(steps)] + [0.0]
    text = torch.cat([batched(text_embedding, b), batched(null_embedding, b)])
    with torch.autocast(noise.device.type, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
        for i in range(steps):
            t = torch.full((b,), times[i], dtype=x.dtype, device=x.device)
            conditional, unconditional = model(torch.cat([x, x]), torch.cat([t, t]), text_embedding=text).chunk(2)
            # Guidance in the model's output dtype, then back to x's (TextToVideo.WithAutocast).
            velocity = (conditional + (conditional - unconditional) * (guidance - 1)).to(x.dtype)
            x = x + velocity * (times[i + 1] - times[i])
    return x
