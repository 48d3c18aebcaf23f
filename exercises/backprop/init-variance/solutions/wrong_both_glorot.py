def answer(n0, n1, n2):
    return f"[sqrt(6/({n0} + {n1})), sqrt(6/({n1} + {n2}))]"
