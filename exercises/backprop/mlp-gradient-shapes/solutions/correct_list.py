def answer(N, D, H, C, target):
    shape = {"X": (N, D), "W_1": (D, H), "Z_1": (N, H), "W_2": (H, C)}[target]
    return str(list(shape))
