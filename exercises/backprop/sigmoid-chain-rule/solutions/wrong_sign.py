def answer(a, b):
    return f"-{a} sigma({a}x + {b}) (1 - sigma({a}x + {b}))"
