def scaled_dot_product_attention(q, k, v, mask=None):
    """Scaled dot-product attention: softmax(q kᵀ / sqrt(d)) v.

    q:    (B, Tq, d)  queries
    k:    (B, Tk, d)  keys
    v:    (B, Tk, dv) values
    mask: None, or a bool array broadcastable to (B, Tq, Tk): (B, Tq, Tk), (Tq, Tk), (1, Tq, Tk)
          or (B, 1, Tk). True = this query may attend to this key.
    Returns out of shape (B, Tq, dv). Must stay finite for very large scores.
    """
    raise NotImplementedError
