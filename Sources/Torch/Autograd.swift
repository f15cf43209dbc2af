import CTorch

extension Tensor {
    /// Back-propagates from this tensor (a scalar, unless `gradient` is given) into every leaf
    /// that requires grad; gradients accumulate as in PyTorch.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try check(ct_backward(handle, gradient?.handle, retainGraph ? 1 : 0))
    }
}

public enum Autograd {
    /// d(sum of outputs)/d(inputs) without touching `.grad`; unused inputs get zeros.
    public static func grad(of outputs: [Tensor], withRespectTo inputs: [Tensor], createGraph: Bool = false) throws -> [Tensor] {
        let o: [OpaquePointer?] = outputs.map { $0.handle }
        let i: [OpaquePointer?] = inputs.map { $0.handle }
        var out = [OpaquePointer?](repeating: nil, count: inputs.count)
        try withExtendedLifetime((outputs, inputs)) {
            try check(ct_autograd_grad(o, Int32(o.count), i, Int32(i.count), createGraph ? 1 : 0, &out))
        }
        return out.map { Tensor(handle: $0!) }
    }
}
