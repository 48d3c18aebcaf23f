def relu_tanh_backward(x, dout):
    return dout * (x > 0), dout * (1 - x**2)
