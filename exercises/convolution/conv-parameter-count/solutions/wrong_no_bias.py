def answer(C_in, C_out, K_h, K_w, H):
    return str(C_out * C_in * K_h * K_w)
