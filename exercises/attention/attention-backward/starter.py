def attention_backward(q, k, v, dout):
    """Backward pass of out = softmax(q kᵀ / sqrt(d)) v (softmax over the key axis, no mask).

    q: (B, Tq, d), k: (B, Tk, d), v: (B, Tk, dv), dout: (B, Tq, dv) = dL/dout.
    Returns the tuple (dq, dk, dv) of dL/dq (B, Tq, d), dL/dk (B, Tk, d), dL/dv (B, Tk, dv).
    """
    raise NotImplementedError
