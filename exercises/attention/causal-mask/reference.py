import numpy as np


def causal_mask(Tq: int, Tk: int) -> np.ndarray:
    """Boolean causal mask of shape (Tq, Tk); True = the query may attend to the key.

    The Tq queries are the last Tq of the Tk positions (as when new tokens are appended to a
    KV cache), so query i sits at absolute position Tk - Tq + i and sees keys j <= Tk - Tq + i.
    """
    offset = Tk - Tq  # number of keys that come before the first query (the cache)
    query_pos = offset + np.arange(Tq)  # absolute position of each query
    key_pos = np.arange(Tk)
    # Broadcast (Tq, 1) against (1, Tk): a comparison gives a bool array directly.
    return key_pos[None, :] <= query_pos[:, None]
