# Exact expressions in the grammar: exp(s_j / sqrt(d)) / sum_k exp(s_k / sqrt(d))
def answer(d, Q, K):
    rows = []
    for q in Q:
        s = [sum(qi * ki for qi, ki in zip(q, k)) for k in K]
        total = " + ".join(f"exp({v}/sqrt({d}))" for v in s)
        rows.append(", ".join(f"exp({v}/sqrt({d}))/({total})" for v in s))
    return "[" + ", ".join(f"[{r}]" for r in rows) + "]"
