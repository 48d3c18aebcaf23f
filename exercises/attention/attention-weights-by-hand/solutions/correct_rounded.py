import math


def answer(d, Q, K):
    rows = []
    for q in Q:
        s = [sum(qi * ki for qi, ki in zip(q, k)) / math.sqrt(d) for k in K]
        e = [math.exp(v) for v in s]
        rows.append(" ".join(f"{v / sum(e):.4f}" for v in e))
    return "\n".join(rows)
