def answer(N, D, H, C, target):
    shape = {"X": (D, N), "W_1": (H, D), "Z_1": (H, N), "W_2": (C, H)}[target]
    return f"({shape[0]}, {shape[1]})"
