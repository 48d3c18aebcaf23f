"""Conv2d(C_in, C_out, (K_h, K_w), bias=True): C_out * (C_in * K_h * K_w + 1) parameters."""


def answer(C_in, C_out, K_h, K_w, H):
    return C_out * (C_in * K_h * K_w + 1)


def no_bias(C_in, C_out, K_h, K_w, H):
    return C_out * C_in * K_h * K_w


def bias_per_input_channel(C_in, C_out, K_h, K_w, H):
    return C_out * C_in * K_h * K_w + C_in


def no_input_channels(C_in, C_out, K_h, K_w, H):
    return C_out * (K_h * K_w + 1)


def per_position(C_in, C_out, K_h, K_w, H):
    return answer(C_in, C_out, K_h, K_w, H) * H * H
