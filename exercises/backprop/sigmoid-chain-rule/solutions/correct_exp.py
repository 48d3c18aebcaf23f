def answer(a, b):
    # sigma'(u) = exp(-u) / (1 + exp(-u))^2, times the chain-rule factor a
    return f"{a} exp(-({a}x + {b})) / (1 + exp(-({a}x + {b})))^2"
