def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    """One update of Adam (as torch.optim.Adam without weight decay).

    param, grad, m, v: float64 arrays of the same shape (R, C); m and v are the moving averages
    of the gradient and of its square before this update (0 when t = 1).
    t: int, the number of this update, starting at 1. lr, beta1, beta2, eps: floats.

      m = beta1 m + (1 - beta1) grad;  v = beta2 v + (1 - beta2) grad**2
      m_hat = m / (1 - beta1**t);      v_hat = v / (1 - beta2**t)
      param = param - lr * m_hat / (sqrt(v_hat) + eps)

    Returns the tuple (param, m, v) after the update (m, v not bias-corrected).
    """
    return param, m, v
