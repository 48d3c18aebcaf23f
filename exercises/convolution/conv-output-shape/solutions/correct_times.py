import math


def answer(N, C, H, W, F, K, S, P):
    ho = math.floor((H + 2 * P - K) / S) + 1
    wo = math.floor((W + 2 * P - K) / S) + 1
    return f"{N}x{F}x{ho}x{wo}"
