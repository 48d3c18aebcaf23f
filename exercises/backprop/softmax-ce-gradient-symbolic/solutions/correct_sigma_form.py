# p_j = 1 / (1 + e^((z_k - z_j)/T) + e^((z_l - z_j)/T)), divided through by e^(z_j/T)
def answer(T, y, j):
    k, l = (i for i in (1, 2, 3) if i != j)
    p = f"1/(1 + exp((z{k} - z{j})/{T}) + exp((z{l} - z{j})/{T}))"
    return f"({p} - {1 if j == y else 0})/{T}"
