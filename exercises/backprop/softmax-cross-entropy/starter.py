def softmax_cross_entropy(logits, y):
    """Softmax cross-entropy loss, averaged over the batch, and its gradient.

    logits: (N, C) float64, one row of class scores per example.
    y:      (N,)   int64, the correct class of each example, in [0, C).

    Returns (loss, dlogits): loss is a Python float (mean over the batch of
    -log softmax(logits)[n, y[n]]); dlogits (N, C) float64 is d loss / d logits.
    Both must stay finite for logits of magnitude 1000.
    """
    raise NotImplementedError
