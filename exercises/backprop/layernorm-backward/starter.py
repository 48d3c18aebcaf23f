def layernorm_backward(x, gamma, beta, dout, eps=1e-5):
    """Backward pass of layer normalisation over the features (last axis).

    Forward: out = gamma * (x - mean) / sqrt(var + eps) + beta, where mean and var are the
    statistics of each EXAMPLE over its D features (axis -1) and var is the BIASED variance
    (divide by D).

    x:     (N, D) float64
    gamma: (D,)   float64, scale (one per feature)
    beta:  (D,)   float64, shift (one per feature)
    dout:  (N, D) float64, upstream gradient dL/dout
    eps:   float, added to the variance (passed positionally; default 1e-5)

    Returns the tuple (dx, dgamma, dbeta) with shapes (N, D), (D,), (D,).
    """
    raise NotImplementedError
