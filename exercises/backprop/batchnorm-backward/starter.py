def batchnorm_backward(x, gamma, beta, dout, eps=1e-5):
    """Backward pass of training-mode batch normalisation over the batch axis.

    Forward: out = gamma * (x - mean) / sqrt(var + eps) + beta, where mean and var are
    the per-feature batch statistics over axis 0 and var is the BIASED variance (divide by N).

    x:     (N, D) float64
    gamma: (D,)   float64, scale
    beta:  (D,)   float64, shift
    dout:  (N, D) float64, upstream gradient dL/dout
    eps:   float, added to the variance (passed positionally; default 1e-5)

    Returns the tuple (dx, dgamma, dbeta) with shapes (N, D), (D,), (D,).
    """
    raise NotImplementedError
