"""f(x) = sigma(a x + b): f'(x) = a sigma(a x + b) (1 - sigma(a x + b))."""


def _u(a, b):
    return f"({a}*x + ({b}))"


def answer(a, b):
    u = _u(a, b)
    return f"{a}*sigma({u})*(1 - sigma({u}))"


def no_chain_factor(a, b):
    u = _u(a, b)
    return f"sigma({u})*(1 - sigma({u}))"


def sigma_not_derivative(a, b):
    return f"{a}*sigma({_u(a, b)})"


def outer_at_x(a, b):
    return f"{a}*sigma(x)*(1 - sigma(x))"
