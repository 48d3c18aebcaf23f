def answer(C_in, C_out, K_h, K_w, H):
    return f"{C_out * (C_in * K_h * K_w + 1) + 1000:,}"
