"""Multi-head attention on X of shape (B, T, d_model), h heads of d_k = d_model / h features.

Q = X W_Q is reshaped to (B, T, h, d_k) and transposed to (B, h, T, d_k); the scores Q K^T are
(B, h, T, T); the context A V is (B, h, T, d_k), merged back to (B, T, d_model) before W_O."""


def params(rng):
    while True:
        B = int(rng.integers(2, 9))
        T = int(rng.integers(5, 41))
        h = int(rng.choice([2, 4, 8, 12]))
        d_k = int(rng.choice([16, 32, 64]))
        target = str(rng.choice(["scores", "q_heads", "context"]))
        if len({B, T, h, d_k, h * d_k}) == 5:
            return {"B": B, "T": T, "h": h, "d_k": d_k, "d_model": h * d_k, "target": target}


def answer(B, T, h, d_k, d_model, target):
    return {
        "scores": (B, h, T, T),
        "q_heads": (B, h, T, d_k),
        "context": (B, T, d_model),
    }[target]


def scores_with_dk(B, T, h, d_k, d_model, target):
    return (B, h, T, d_k) if target == "scores" else None


def no_heads(B, T, h, d_k, d_model, target):
    return {"scores": (B, T, T), "q_heads": (B, T, d_k), "context": None}[target]


def full_width(B, T, h, d_k, d_model, target):
    return (B, h, T, d_model) if target == "q_heads" else None


def heads_after_T(B, T, h, d_k, d_model, target):
    return (B, T, h, d_k) if target == "q_heads" else None


def context_with_heads(B, T, h, d_k, d_model, target):
    return (B, h, T, d_k) if target == "context" else None
