# The dilations of a block are a geometric series: 1 + b + ... + b^(L-1) = (b^L - 1)/(b - 1).
def answer(K, b, L, B, dilations, layers):
    return f"1 + {B}*({K} - 1)*({b}^{L} - 1)/({b} - 1)"
