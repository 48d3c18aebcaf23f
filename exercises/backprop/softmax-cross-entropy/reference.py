import numpy as np


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits (N, C) float64, y (N,) int64 in [0, C) -> (loss: float, dlogits (N, C)).
    """
    N = logits.shape[0]
    # Subtracting the row maximum does not change softmax (it cancels in the ratio) but makes
    # every exponent <= 0: no overflow, and the largest term is exactly exp(0) = 1, so the sum
    # is >= 1 and its log is finite.
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    # log-softmax directly, never log(softmax): softmax may underflow to 0 for a label far
    # below the maximum, while its log (a large negative number) is perfectly representable.
    log_probs = shifted - log_sum
    rows = np.arange(N)
    loss = -log_probs[rows, y].mean()

    # d loss / d logits = (softmax - one_hot(y)) / N; the 1/N comes from the mean.
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1.0
    dlogits /= N
    return float(loss), dlogits
